#include "command_line.hpp"

#include <algorithm>

namespace batchwire::cli {

namespace {

const option_spec* find_long(std::span<const option_spec> specs, std::string_view name)
{
    auto it = std::find_if(specs.begin(), specs.end(), [&](const option_spec& s) { return s.name == name; });
    return it == specs.end() ? nullptr : &*it;
}

const option_spec* find_short(std::span<const option_spec> specs, char name)
{
    auto it = std::find_if(specs.begin(), specs.end(), [&](const option_spec& s) { return s.short_name == name; });
    return it == specs.end() ? nullptr : &*it;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string positional_count_problem(const command_syntax& c, std::size_t given)
{
    if (given < c.min_positionals)
        return "missing " + std::string(c.positional_names);
    return "unexpected argument" + std::string(given - c.max_positionals > 1 ? "s" : "") + " (expected " +
           (c.max_positionals == 0 ? std::string("none") : std::string(c.positional_names)) + ")";
}

} // namespace

std::optional<std::string> parsed_options::value(std::string_view name) const
{
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> parsed_options::values(std::string_view name) const
{
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {

std::string_view command_name(const command_line& cl) { return cl.command ? cl.command->name : std::string_view{}; }

// One option (and its value, which may be the next argument: `i` then moves past it) into
// the command's options or the global ones.
void take_option(command_line& cl, std::span<const std::string_view> args, std::size_t& i,
                 std::span<const option_spec> globals)
{
    const std::string_view arg = args[i];
    const std::span<const option_spec> own =
        cl.command ? cl.command->options : std::span<const option_spec>{};
    const option_spec* spec = nullptr;
    bool global = false;
    std::optional<std::string_view> inline_value;
    if (arg.starts_with("--")) {
        std::string_view name = arg.substr(2);
        if (const auto eq = name.find('='); eq != std::string_view::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        spec = find_long(own, name);
        if (!spec && (spec = find_long(globals, name)))
            global = true;
    } else if (arg.size() == 2) {
        spec = find_short(own, arg[1]);
        if (!spec && (spec = find_short(globals, arg[1])))
            global = true;
    }
    if (!spec) {
        std::string message = "unknown option " + quoted(arg);
        if (!cl.command)
            message += " (a command's own options go after the command)";
        throw usage_error(std::move(message), command_name(cl));
    }
    const std::string shown = "--" + std::string(spec->name);
    std::string value;
    if (spec->takes_value()) {
        if (inline_value)
            value = *inline_value;
        else if (i + 1 < args.size())
            value = args[++i];
        else
            throw usage_error(shown + " needs a value (" + std::string(spec->value_name) + ")",
                              command_name(cl));
    } else if (inline_value) {
        throw usage_error(shown + " takes no value", command_name(cl));
    }
    parsed_options& target = global ? cl.globals : cl.options;
    if (!spec->repeatable && target.has(spec->name))
        throw usage_error(shown + " given more than once", command_name(cl));
    target.add(spec->name, std::move(value));
}

} // namespace

command_line parse_command_line(std::span<const std::string_view> args, std::span<const option_spec> globals,
                                const command_finder& find_command)
{
    command_line cl;
    bool options_ended = false;
    bool help_word_seen = false;

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (!options_ended && arg == "--") {
            options_ended = true;
            continue;
        }
        if (!options_ended && (arg == "--help" || arg == "-h")) {
            cl.help = true;
            continue;
        }
        if (!options_ended && !cl.command && arg == "--version") {
            cl.version = true;
            continue;
        }
        if (!options_ended && arg.size() > 1 && arg.front() == '-') {
            take_option(cl, args, i, globals);
            continue;
        }
        if (!cl.command) {
            // "batchwire help [COMMAND]" is --help spelled as a word.
            if (arg == "help" && !help_word_seen && !cl.help) {
                help_word_seen = true;
                cl.help = true;
                continue;
            }
            cl.command = find_command(arg);
            if (!cl.command)
                throw usage_error("unknown command " + quoted(arg));
            continue;
        }
        cl.positionals.emplace_back(arg);
    }

    if (cl.help || cl.version || !cl.command)
        return cl;
    const std::size_t given = cl.positionals.size();
    if (given < cl.command->min_positionals || given > cl.command->max_positionals)
        throw usage_error(positional_count_problem(*cl.command, given), command_name(cl));
    return cl;
}

} // namespace batchwire::cli
