#include "command_table.hpp"
#include "results_command.hpp"

#include <algorithm>
#include <array>

namespace batchwire::cli {

const command_spec& webhook_command(); // webhook_command.cpp

std::span<const command_spec* const> all_commands()
{
    // Built on first use: the specs live in other translation units.
    static const std::array commands{
        &get_command(),    &cancel_command(), &watch_command(),    &list_command(),
        &create_command(), &upload_command(), &download_command(), &file_command(),
        &results_command(), &webhook_command(),
    };
    return commands;
}

const command_spec* find_command(std::string_view name)
{
    const auto commands = all_commands();
    auto it = std::find_if(commands.begin(), commands.end(),
                           [&](const command_spec* c) { return c->syntax.name == name; });
    return it == commands.end() ? nullptr : *it;
}

} // namespace batchwire::cli
