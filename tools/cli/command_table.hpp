#ifndef BATCHWIRE_CLI_COMMAND_TABLE_HPP
#define BATCHWIRE_CLI_COMMAND_TABLE_HPP

// The commands: their syntax, help text, and how each turns a command line into a job.
// A job is made (and its arguments checked) before the client exists, so that usage
// errors never wait for the network.

#include "command_line.hpp"
#include "exit_status.hpp"
#include "global_options.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <span>
#include <string_view>

namespace batchwire::cli {

// What a running command has at hand.
struct command_env {
    client& api;
    const global_settings& settings;
};

// Every call into the library's awaitables passes its aggregates (request_options,
// watch_options, *_params) as named variables: the g++ 12 rule at the top of client.hpp.

// A command ready to run: returns its exit status or throws (batchwire::exception, ...).
using command_job = std::function<boost::asio::awaitable<exit_status>(command_env&)>;

struct command_spec {
    command_syntax syntax;
    std::string_view synopsis;    // "get ID"
    std::string_view summary;     // one line for the command list
    std::string_view description; // paragraphs for `batchwire COMMAND --help`
    // Throws usage_error for values that do not parse.
    command_job (*make_job)(const command_line& cl);
};

std::span<const command_spec* const> all_commands();
const command_spec* find_command(std::string_view name);

// Defined next to each command's code.
const command_spec& get_command();
const command_spec& cancel_command();
const command_spec& watch_command();
const command_spec& list_command();
const command_spec& create_command();
const command_spec& upload_command();
const command_spec& download_command();
const command_spec& file_command();

} // namespace batchwire::cli

#endif
