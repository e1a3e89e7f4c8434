#ifndef BATCHWIRE_CLI_COMMAND_LINE_HPP
#define BATCHWIRE_CLI_COMMAND_LINE_HPP

// The command line's grammar: `batchwire [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS...`.
// Options take "--name value" or "--name=value"; global options may also follow the
// command; "--" ends the options. Nothing here knows what a command does.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire::cli {

struct option_spec {
    std::string_view name;       // without the dashes: "timeout" for --timeout
    char short_name = 0;         // 'o' for -o; 0 for none
    std::string_view value_name; // "D", "PATH"; empty for a flag
    std::string_view help;
    bool repeatable = false;

    bool takes_value() const noexcept { return !value_name.empty(); }
};

// What the parser needs to know of a command.
struct command_syntax {
    std::string_view name;
    std::span<const option_spec> options;
    std::size_t min_positionals = 0;
    std::size_t max_positionals = 0;
    std::string_view positional_names; // "ID", for messages
};

// A bad command line: exit status 2. `command` names the command whose help to point to.
class usage_error : public std::runtime_error {
public:
    usage_error(std::string message, std::string_view command = {})
        : std::runtime_error(std::move(message)), command_(command)
    {
    }
    const std::string& command() const noexcept { return command_; }

private:
    std::string command_;
};

// The values given for a set of options, by name; a flag has one empty value.
class parsed_options {
public:
    bool has(std::string_view name) const { return values_.find(name) != values_.end(); }
    // The value of a non-repeatable option, when given.
    std::optional<std::string> value(std::string_view name) const;
    // Every value of a repeatable option, in order.
    std::vector<std::string> values(std::string_view name) const;

    void add(std::string_view name, std::string value) { values_[std::string(name)].push_back(std::move(value)); }

private:
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

struct command_line {
    const command_syntax* command = nullptr; // null when no command was named
    parsed_options globals;
    parsed_options options;                  // the command's own options
    std::vector<std::string> positionals;
    bool help = false;                       // --help / -h, or "help [COMMAND]"
    bool version = false;
};

using command_finder = std::function<const command_syntax*(std::string_view name)>;

// Throws usage_error: unknown command or option, a missing value, an option given twice,
// the wrong number of arguments (checked only when help was not asked for).
command_line parse_command_line(std::span<const std::string_view> args, std::span<const option_spec> globals,
                                const command_finder& find_command);

} // namespace batchwire::cli

#endif
