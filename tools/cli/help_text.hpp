#ifndef BATCHWIRE_CLI_HELP_TEXT_HPP
#define BATCHWIRE_CLI_HELP_TEXT_HPP

// `batchwire --help` and `batchwire COMMAND --help`.

#include "command_table.hpp"

#include <string>

namespace batchwire::cli {

// The commands, the global options, the environment and the exit statuses.
std::string top_level_help();

// The command's synopsis, description and options.
std::string command_help(const command_spec& command);

std::string version_text();

} // namespace batchwire::cli

#endif
