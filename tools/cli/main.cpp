// batchwire: the command-line front of the library. Parses the command line, answers
// --help, then runs the command (command_runner.cpp). Exit statuses: exit_status.hpp.

#include "command_line.hpp"
#include "command_runner.hpp"
#include "command_table.hpp"
#include "exit_status.hpp"
#include "global_options.hpp"
#include "help_text.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace batchwire::cli;

void print_stdout(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int run(const std::vector<std::string_view>& args)
{
    const command_line cl = parse_command_line(args, global_option_specs(), [](std::string_view name) {
        const command_spec* c = find_command(name);
        return c ? &c->syntax : nullptr;
    });
    const command_spec* command = cl.command ? find_command(cl.command->name) : nullptr;
    if (cl.version) {
        print_stdout(version_text());
        return 0;
    }
    if (cl.help) {
        print_stdout(command ? command_help(*command) : top_level_help());
        return 0;
    }
    if (!command) {
        std::fputs(top_level_help().c_str(), stderr);
        return static_cast<int>(exit_status::usage_error);
    }
    // Every argument is checked before the client exists.
    const global_settings settings = read_global_settings(cl.globals);
    const command_job job = command->make_job(cl);
    return static_cast<int>(run_command(job, settings));
}

} // namespace

int main(int argc, char** argv)
{
    // A closed stdout (`batchwire download X | head`) is a write error to report, not a
    // silent death by SIGPIPE. Sockets never raise it (Asio sends with MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    try {
        return run(args);
    } catch (...) {
        return static_cast<int>(report_exception(std::current_exception(), false));
    }
}
