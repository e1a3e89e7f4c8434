// The CLI's command-line grammar (tools/cli/command_line.cpp, compiled into the unit
// tests), row by row: what is accepted, where each value lands, and the message of every
// usage error.

#include "../../tools/cli/command_line.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace batchwire::cli;

namespace {

constexpr std::array<option_spec, 2> global_options{{
    {.name = "base-url", .value_name = "URL"},
    {.name = "verbose", .short_name = 'v'},
}};
constexpr std::array<option_spec, 3> watch_options{{
    {.name = "poll-interval", .value_name = "D"},
    {.name = "quiet", .short_name = 'q'},
    {.name = "header", .short_name = 'H', .value_name = "H", .repeatable = true},
}};
const command_syntax watch_command{.name = "watch", .options = watch_options, .min_positionals = 1,
                                   .max_positionals = 1, .positional_names = "ID"};
const command_syntax list_command{.name = "list", .options = {}, .min_positionals = 0, .max_positionals = 0,
                                  .positional_names = ""};

const command_syntax* find(std::string_view name)
{
    if (name == "watch")
        return &watch_command;
    if (name == "list")
        return &list_command;
    return nullptr;
}

std::vector<std::string_view> words(const std::string& line, std::vector<std::string>& store)
{
    std::istringstream in(line);
    for (std::string w; in >> w;)
        store.push_back(w);
    return {store.begin(), store.end()};
}

command_line parse(const std::string& line)
{
    static std::vector<std::string> store; // the parsed views point into it
    store.clear();
    store.reserve(64);
    const auto args = words(line, store);
    return parse_command_line(args, global_options, find);
}

struct refused_row {
    const char* line;
    const char* message;
    const char* command; // whose help the error points to
};

} // namespace

BOOST_AUTO_TEST_SUITE(cli_command_line)

BOOST_AUTO_TEST_CASE(values_land_where_they_belong)
{
    const auto cl = parse("--base-url http://a watch --poll-interval=5s -q -H x:1 --header y:2 -v batch_1");
    BOOST_REQUIRE(cl.command == &watch_command);
    BOOST_TEST(cl.globals.value("base-url").value_or("") == "http://a");
    BOOST_TEST(cl.globals.has("verbose")); // a global option after the command
    BOOST_TEST(cl.options.value("poll-interval").value_or("") == "5s");
    BOOST_TEST(cl.options.has("quiet"));
    BOOST_TEST((cl.options.values("header") == std::vector<std::string>{"x:1", "y:2"}));
    BOOST_TEST((cl.positionals == std::vector<std::string>{"batch_1"}));
    BOOST_TEST(!cl.help);
}

BOOST_AUTO_TEST_CASE(double_dash_ends_the_options)
{
    const auto cl = parse("watch -- -q");
    BOOST_TEST((cl.positionals == std::vector<std::string>{"-q"}));
    BOOST_TEST(!cl.options.has("quiet"));
}

BOOST_AUTO_TEST_CASE(help_and_version_skip_the_argument_count)
{
    BOOST_TEST(parse("watch --help").help);             // ID missing, but help was asked
    BOOST_TEST(parse("help watch").help);               // "help" as a word
    BOOST_TEST(parse("help watch").command == &watch_command);
    BOOST_TEST(parse("--version").version);
    BOOST_TEST(!parse("").command);                     // nothing: the caller prints usage
    BOOST_TEST(parse("watch -h").help);
}

BOOST_AUTO_TEST_CASE(every_usage_error_has_its_message)
{
    const refused_row rows[] = {
        {"frobnicate", "unknown command 'frobnicate'", ""},
        {"--nope", "unknown option '--nope' (a command's own options go after the command)", ""},
        {"-q watch id", "unknown option '-q' (a command's own options go after the command)", ""},
        {"watch id --nope", "unknown option '--nope'", "watch"},
        {"watch id -xy", "unknown option '-xy'", "watch"},
        {"watch id --poll-interval", "--poll-interval needs a value (D)", "watch"},
        {"watch id --quiet=yes", "--quiet takes no value", "watch"},
        {"watch id -q -q", "--quiet given more than once", "watch"},
        {"watch id --poll-interval 1s --poll-interval=2s", "--poll-interval given more than once", "watch"},
        {"watch", "missing ID", "watch"},
        {"watch a b", "unexpected argument (expected ID)", "watch"},
        {"list a b", "unexpected arguments (expected none)", "list"},
    };
    for (const auto& row : rows) {
        BOOST_TEST_CONTEXT(row.line)
        {
            try {
                parse(row.line);
                BOOST_ERROR("accepted");
            } catch (const usage_error& e) {
                BOOST_TEST(std::string(e.what()) == row.message);
                BOOST_TEST(e.command() == row.command);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
