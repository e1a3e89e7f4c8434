// watch and cancel: following a batch to its end, and cancelling it (optionally followed
// the same way).

#include "command_table.hpp"
#include "duration_text.hpp"
#include "json_output.hpp"
#include "result_files.hpp"
#include "results_command.hpp"
#include "watch_display.hpp"
#include "watch_webhooks.hpp"

#include <batchwire/watch.hpp>

#include <algorithm>
#include <array>

namespace batchwire::cli {

namespace asio = boost::asio;

namespace {

constexpr std::array watch_options_spec{
    option_spec{"timeout", 0, "D", "give up after this long (default: derived from the batch, see below)"},
    option_spec{"download-partial", 0, "DIR", "when the batch ends, save its output and error files in DIR"},
    webhook_listen_option,
    webhook_path_option,
};

constexpr std::array cancel_options_spec{
    option_spec{"watch", 0, "", "after cancelling, follow the batch until it ends (like 'watch')"},
    option_spec{"timeout", 0, "D", "with --watch: give up after this long"},
    option_spec{"download-partial", 0, "DIR", "with --watch: when the batch ends, save its result files in DIR"},
    option_spec{"results", 0, "DIR", "with --watch: when the batch ends, its outcomes (and resubmit file) in DIR"},
    option_spec{"input", 0, "FILE", "with --results: the batch's input JSONL, to reconcile and resubmit"},
    webhook_listen_option,
    webhook_path_option,
};

struct watch_args {
    std::string batch_id;
    bool cancel_first = false;
    bool follow = true; // false: a plain cancel
    std::optional<std::chrono::milliseconds> timeout;
    std::string download_dir;
    std::string results_dir; // cancel --watch --results DIR [--input FILE]
    std::string input_path;
    std::optional<watch_webhook_args> webhooks; // --webhook-listen
};

watch_options make_watch_options(const global_settings& s, const watch_args& a)
{
    watch_options wo;
    if (s.poll_interval) {
        wo.initial_interval = *s.poll_interval;
        wo.max_interval = std::max(wo.max_interval, *s.poll_interval);
    }
    wo.server_time_scale = s.server_time_scale;
    wo.timeout = a.timeout;
    if (a.webhooks) {
        // Events end the wait; polls only back them up, at --poll-interval when given.
        wo.woken_by_events = true;
        if (s.poll_interval)
            wo.fallback_interval = *s.poll_interval;
    }
    return wo;
}

asio::awaitable<exit_status> run_watch(command_env& env, watch_args a)
{
    if (!a.follow) {
        const request_options ro; // named: see command_table.hpp
        const batch b = co_await env.api.cancel(std::move(a.batch_id), ro);
        print_object(b, env.settings.pretty);
        co_return exit_status::success;
    }

    // Log lines from --verbose would tear a bar drawn in place, so plain lines then.
    watch_display display(stderr, is_terminal(stderr) && !env.settings.verbose);
    watch_options wo = make_watch_options(env.settings, a);
    wo.on_transition = [&display](const batch_transition& t) { display.show(t); };
    wo.on_poll_error = [&display](const boost::system::error_code& ec, const diagnostics& diag) {
        display.show_poll_error(ec, diag);
    };

    std::optional<watch_webhooks> webhooks; // before the cancel: no event is missed
    if (a.webhooks)
        webhooks.emplace(env.api, *a.webhooks, [&display](std::string_view line) { display.note(line); });

    batch final_batch;
    try {
        if (a.cancel_first)
            final_batch = co_await cancel_and_watch(env.api, a.batch_id, std::move(wo));
        else
            final_batch = co_await watch_until_terminal(env.api, a.batch_id, std::move(wo));
    } catch (const watch_deadline_error& e) {
        // The last snapshot is still the best answer there is; exit 5 follows.
        display.finish();
        if (!e.last_snapshot().id.empty())
            print_object(e.last_snapshot(), env.settings.pretty);
        throw;
    } catch (...) {
        display.finish();
        throw;
    }
    webhooks.reset();
    display.finish();
    if (a.results_dir.empty())
        print_object(final_batch, env.settings.pretty);
    if (!a.download_dir.empty())
        co_await save_result_files(env.api, final_batch, a.download_dir);
    if (!a.results_dir.empty()) { // the results object, with the batch's id and status, replaces the batch
        results_options ro = results_in_dir(a.results_dir, final_batch.id, a.input_path); // named: g++ 12
        co_await print_results(env, final_batch, std::move(ro));
    }
    co_return exit_status_for(final_batch.status);
}

watch_args read_watch_args(const command_line& cl, std::string_view command)
{
    watch_args a;
    a.batch_id = cl.positionals.at(0);
    if (auto v = cl.options.value("timeout")) {
        std::string why;
        a.timeout = parse_duration(*v, &why);
        if (!a.timeout)
            throw usage_error("--timeout: " + why, command);
        if (a.timeout->count() <= 0)
            throw usage_error("--timeout must be longer than zero", command);
    }
    if (auto v = cl.options.value("download-partial")) {
        if (v->empty())
            throw usage_error("--download-partial needs a directory", command);
        a.download_dir = *v;
    }
    a.webhooks = read_watch_webhook_args(cl, command);
    return a;
}

command_job make_watch_job(const command_line& cl)
{
    watch_args a = read_watch_args(cl, "watch");
    return [a](command_env& env) { return run_watch(env, a); };
}

command_job make_cancel_job(const command_line& cl)
{
    watch_args a = read_watch_args(cl, "cancel");
    a.cancel_first = true;
    a.follow = cl.options.has("watch");
    if (!a.follow && (a.timeout || !a.download_dir.empty() || a.webhooks))
        throw usage_error("--timeout, --download-partial and --webhook-listen need --watch", "cancel");
    for (const char* name : {"results", "input"})
        if (auto v = cl.options.value(name); v && v->empty())
            throw usage_error("--" + std::string(name) + " is empty", "cancel");
    a.results_dir = cl.options.value("results").value_or("");
    a.input_path = cl.options.value("input").value_or("");
    if (!a.results_dir.empty() && !a.follow)
        throw usage_error("--results needs --watch", "cancel");
    if (!a.input_path.empty() && a.results_dir.empty())
        throw usage_error("--input needs --results", "cancel");
    return [a](command_env& env) { return run_watch(env, a); };
}

// Shared by both help texts.
constexpr std::string_view watch_help =
    "While it waits, one line per status change goes to stderr:\n"
    "  12:01:02 in_progress -> cancelling  completed 40/300 failed 2\n"
    "with a progress bar of the request counts redrawn below when stderr is a terminal\n"
    "(plain lines for each progress change otherwise). The final batch is printed as JSON\n"
    "on stdout. Polls start at --poll-interval (default 1s) and back off to 30s; the\n"
    "server's openai-poll-after-ms hint is honoured.\n"
    "\n"
    "Without --timeout the deadline comes from the batch: a cancelling batch gets 10 minutes\n"
    "from its cancelling_at, any other its expires_at, plus a minute of grace\n"
    "(--server-time-scale converts server time for a time-scaled emulator).\n"
    "\n"
    "--download-partial DIR: when the batch has ended, its output_file_id and error_file_id\n"
    "(when set) are saved as DIR/<file_id>.jsonl; the paths are reported on stderr. A failed\n"
    "download sets the exit status of its error.\n"
    "\n"
    "--webhook-listen ADDR:PORT (and --webhook-path PATH, default /): while it waits, also\n"
    "receive OpenAI's signed webhooks there (plain HTTP; the secret is OPENAI_WEBHOOK_SECRET).\n"
    "Each verified event is reported on stderr (webhook batch.completed evt_... for batch_...);\n"
    "one for this batch triggers a confirming retrieve at once, and polls become a fallback\n"
    "(every --poll-interval when given, else every 5 minutes).\n"
    "\n"
    "Exit status: 0 completed, 10 cancelled, 11 failed, 12 expired, 5 the deadline passed\n"
    "(the last snapshot is still printed), 130 interrupted (Ctrl-C stops the watch; the\n"
    "batch is not affected), 2-6 as for every command.";

} // namespace

const command_spec& watch_command()
{
    static const std::string description = "Follows the batch until it ends.\n\n" + std::string(watch_help);
    static const command_spec spec{
        {"watch", watch_options_spec, 1, 1, "ID"},
        "watch ID [--timeout D] [--download-partial DIR] [--webhook-listen ADDR:PORT [--webhook-path PATH]]",
        "follow a batch until it completes, fails, expires or is cancelled",
        description,
        make_watch_job,
    };
    return spec;
}

const command_spec& cancel_command()
{
    static const std::string description =
        "Cancels the batch and prints the API's answer (normally status \"cancelling\") as JSON.\n"
        "A batch stays cancelling for up to 10 minutes before it is cancelled, with partial\n"
        "results in its output file. Interrupting a plain cancel after the request was sent\n"
        "may still leave the batch cancelling.\n"
        "\n"
        "With --watch, follows it like 'watch' (a batch that had already ended is printed as\n"
        "it is). With --results DIR as well, when it has ended its results are collected as\n"
        "'results' does: DIR/<id>.outcomes.jsonl and, with --input FILE, DIR/<id>.resubmit.jsonl\n"
        "(the requests that never ran, ready to upload); the results object replaces the batch\n"
        "on stdout.\n\n" +
        std::string(watch_help);
    static const command_spec spec{
        {"cancel", cancel_options_spec, 1, 1, "ID"},
        "cancel ID [--watch] [--timeout D] [--download-partial DIR] [--results DIR [--input FILE]] "
        "[--webhook-listen ADDR:PORT [--webhook-path PATH]]",
        "cancel a batch (and with --watch, follow it until it ends)",
        description,
        make_cancel_job,
    };
    return spec;
}

} // namespace batchwire::cli
