#ifndef BATCHWIRE_CLI_COMMAND_RUNNER_HPP
#define BATCHWIRE_CLI_COMMAND_RUNNER_HPP

// Runs one command: one io_context, the client, the command coroutine co_spawned with a
// cancellation slot that SIGINT triggers, and ctx.run() on this thread.

#include "command_table.hpp"
#include "exit_status.hpp"
#include "global_options.hpp"

namespace batchwire::cli {

// Builds the client (client_options::from_env() + settings) and runs `job` to its end.
// Every failure is reported on stderr here; the result is the process's exit status.
// SIGINT cancels the command (a watch leaves at once) and gives exit_status::interrupted;
// a second SIGINT ends the process at once.
exit_status run_command(const command_job& job, const global_settings& settings);

} // namespace batchwire::cli

#endif
