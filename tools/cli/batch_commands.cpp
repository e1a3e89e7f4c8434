// get, list, create: the batch commands that are one call (or one pager) each.

#include "command_table.hpp"
#include "json_output.hpp"

#include <batchwire/batch_create_params.hpp>
#include <batchwire/metadata.hpp>

#include <array>
#include <charconv>
#include <cstdio>

namespace batchwire::cli {

namespace asio = boost::asio;

namespace {

// ---- get ------------------------------------------------------------------------------

asio::awaitable<exit_status> run_get(command_env& env, std::string batch_id)
{
    const request_options ro; // named: see command_table.hpp
    const batch b = co_await env.api.retrieve(std::move(batch_id), ro);
    print_object(b, env.settings.pretty);
    co_return exit_status::success;
}

command_job make_get_job(const command_line& cl)
{
    return [id = cl.positionals.at(0)](command_env& env) { return run_get(env, id); };
}

// ---- list -----------------------------------------------------------------------------

constexpr std::array list_options{
    option_spec{"limit", 0, "N", "batches per page, 1..100 (the API's default: 20)"},
    option_spec{"after", 0, "ID", "start after this batch id (the last_id of the previous page)"},
    option_spec{"all", 0, "", "follow the pages to the end; one batch object per line"},
};

struct list_args {
    batch_list_params params;
    bool all = false;
};

asio::awaitable<exit_status> run_list(command_env& env, list_args a)
{
    if (!a.all) {
        const request_options ro;
        const batch_page page = co_await env.api.list(a.params, ro);
        print_object(page, env.settings.pretty);
        co_return exit_status::success;
    }
    // JSON Lines, written as pages arrive: bounded memory, and a consumer sees the first
    // batches before the last page is fetched. --pretty would break the one-line framing.
    batch_pager pager(env.api, a.params);
    while (auto page = co_await pager.next_page()) {
        for (const batch& b : page->data)
            print_object(b, false);
    }
    co_return exit_status::success;
}

command_job make_list_job(const command_line& cl)
{
    list_args a;
    if (auto v = cl.options.value("limit")) {
        unsigned n = 0;
        const char* end = v->data() + v->size();
        auto [ptr, ec] = std::from_chars(v->data(), end, n);
        if (ec != std::errc{} || ptr != end || n < 1 || n > 100)
            throw usage_error("--limit must be a number from 1 to 100", "list");
        a.params.limit = n;
    }
    if (auto v = cl.options.value("after")) {
        if (v->empty())
            throw usage_error("--after is empty", "list");
        a.params.after = *v;
    }
    a.all = cl.options.has("all");
    return [a](command_env& env) { return run_list(env, a); };
}

// ---- create ---------------------------------------------------------------------------

constexpr std::array create_options{
    option_spec{"input-file", 0, "FILE_ID", "the uploaded JSONL input file (required; see 'upload')"},
    option_spec{"endpoint", 0, "PATH", "e.g. /v1/chat/completions, /v1/responses, /v1/embeddings (required)"},
    option_spec{"completion-window", 0, "W", "the completion window (default and only documented value: 24h)"},
    option_spec{"metadata", 0, "K=V", "a metadata pair; repeat for more (up to 16)", true},
    option_spec{"idempotency-key", 0, "KEY", "sent as Idempotency-Key, which lets a failed create be resent safely"},
};

struct create_args {
    batch_create_params params;
    std::string idempotency_key;
};

asio::awaitable<exit_status> run_create(command_env& env, create_args a)
{
    request_options ro;
    ro.idempotency_key = std::move(a.idempotency_key);
    const batch b = co_await env.api.create(std::move(a.params), std::move(ro));
    print_object(b, env.settings.pretty);
    co_return exit_status::success;
}

command_job make_create_job(const command_line& cl)
{
    create_args a;
    auto input = cl.options.value("input-file");
    auto endpoint = cl.options.value("endpoint");
    if (!input || input->empty())
        throw usage_error("missing --input-file FILE_ID", "create");
    if (!endpoint || endpoint->empty())
        throw usage_error("missing --endpoint PATH", "create");
    a.params.input_file_id = *input;
    a.params.endpoint = *endpoint;
    if (auto v = cl.options.value("completion-window"))
        a.params.completion_window = *v;
    for (const std::string& pair : cl.options.values("metadata")) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0)
            throw usage_error("--metadata '" + pair + "': expected KEY=VALUE", "create");
        if (!a.params.metadata)
            a.params.metadata.emplace();
        const std::string key = pair.substr(0, eq);
        if (a.params.metadata->count(key) != 0)
            throw usage_error("--metadata: the key '" + key + "' is given twice", "create");
        a.params.metadata->emplace(key, pair.substr(eq + 1));
    }
    if (auto v = cl.options.value("idempotency-key"))
        a.idempotency_key = *v;
    // The library would refuse the same before sending; saying so here makes it a usage error.
    std::string why;
    if (a.params.validate(&why))
        throw usage_error(why, "create");
    // An endpoint added to the API after this version is sent as given: the server decides.
    if (!is_batch_endpoint(a.params.endpoint))
        std::fprintf(stderr,
                     "batchwire create: warning: '%s' is not a batch endpoint this version knows; "
                     "sending it as given\n",
                     a.params.endpoint.c_str());
    return [a](command_env& env) { return run_create(env, a); };
}

} // namespace

const command_spec& get_command()
{
    static const command_spec spec{
        {"get", {}, 1, 1, "ID"},
        "get ID",
        "retrieve a batch",
        "Retrieves the batch and prints it as JSON on stdout.",
        make_get_job,
    };
    return spec;
}

const command_spec& list_command()
{
    static const command_spec spec{
        {"list", list_options, 0, 0, ""},
        "list [--limit N] [--after ID] [--all]",
        "list batches, newest first",
        "Without --all: one page, printed as the API's list object\n"
        "({\"object\":\"list\",\"data\":[...],\"first_id\",\"last_id\",\"has_more\"}); pass its last_id\n"
        "to --after for the next page.\n"
        "\n"
        "With --all: every batch, following the pages to the end, printed as JSON Lines:\n"
        "one compact batch object per line, written as each page arrives (bounded memory;\n"
        "works with head, wc -l, jq -c). --pretty does not apply. --limit sets the page size.",
        make_list_job,
    };
    return spec;
}

const command_spec& create_command()
{
    static const command_spec spec{
        {"create", create_options, 0, 0, ""},
        "create --input-file FILE_ID --endpoint PATH [--completion-window 24h] [--metadata K=V ...]",
        "create a batch from an uploaded input file",
        "Creates a batch and prints it as JSON on stdout. The parameters are checked before\n"
        "anything is sent (metadata limits, window). An endpoint this version does not know\n"
        "is sent as given, with a warning on stderr: the API adds batch endpoints over time,\n"
        "and the server refuses the ones it does not batch. Without --idempotency-key, a\n"
        "create that failed after being sent is not retried: a retry could create two batches.",
        make_create_job,
    };
    return spec;
}

} // namespace batchwire::cli
