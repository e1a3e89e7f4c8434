#ifndef BATCHWIRE_CLI_RESULTS_COMMAND_HPP
#define BATCHWIRE_CLI_RESULTS_COMMAND_HPP

// results: what became of each request of a finished batch, reconciled with its input,
// the unrun requests written out for resubmission. Also the end of `cancel --watch
// --results DIR`.

#include "command_table.hpp"

#include <batchwire/recover.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace batchwire::cli {

const command_spec& results_command();

// The object printed on stdout: id, status, succeeded, failed, not_run, missing, the
// paths written (null when not), and the reported ids.
boost::json::object results_summary(const results_report& r);

// `cancel --watch --results DIR [--input FILE]`: DIR/<batch id>.outcomes.jsonl and, with
// an input, DIR/<batch id>.resubmit.jsonl. Creates DIR. Throws batchwire::exception
// (file_error, invalid_response for a batch id unusable as a file name).
results_options results_in_dir(const std::string& dir, const std::string& batch_id, const std::string& input);

// Collects the results of `b` per `opts` and prints results_summary on stdout.
boost::asio::awaitable<void> print_results(command_env& env, batch b, results_options opts);

} // namespace batchwire::cli

#endif
