// results ID [--input FILE] [--resubmit FILE] [--resubmit-failed] [-o FILE]

#include "results_command.hpp"

#include "json_output.hpp"
#include "result_files.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <filesystem>
#include <system_error>

namespace batchwire::cli {

namespace asio = boost::asio;

namespace {

constexpr std::array results_options_spec{
    option_spec{"input", 0, "FILE", "the batch's input JSONL: classify every input request (missing: in no file)"},
    option_spec{"resubmit", 0, "FILE", "with --input: write the not_run and missing input lines to FILE"},
    option_spec{"resubmit-failed", 0, "", "with --resubmit: the failed requests' lines too"},
    option_spec{"output", 'o', "FILE", "one JSON line per custom_id: outcome, status_code, request_id, body/error"},
};

boost::json::value path_or_null(const std::string& p)
{
    return p.empty() ? boost::json::value(nullptr) : boost::json::value(p);
}

boost::json::object ids_json(const reported_ids& r)
{
    boost::json::array listed;
    for (const auto& id : r.listed)
        listed.emplace_back(id);
    boost::json::object o;
    o["count"] = r.count;
    o["listed"] = std::move(listed);
    return o;
}

asio::awaitable<exit_status> run_results(command_env& env, std::string id, results_options opts)
{
    const request_options ro; // named: see command_table.hpp
    batch b = co_await env.api.retrieve(std::move(id), ro);
    co_await print_results(env, std::move(b), std::move(opts));
    co_return exit_status::success;
}

std::string non_empty(const command_line& cl, std::string_view name)
{
    auto v = cl.options.value(name);
    if (!v)
        return {};
    if (v->empty())
        throw usage_error("--" + std::string(name) + " is empty", "results");
    return *v;
}

command_job make_results_job(const command_line& cl)
{
    results_options o;
    o.input_path = non_empty(cl, "input");
    o.resubmit_path = non_empty(cl, "resubmit");
    o.outcomes_path = non_empty(cl, "output");
    o.resubmit_failed = cl.options.has("resubmit-failed");
    if (!o.resubmit_path.empty() && o.input_path.empty())
        throw usage_error("--resubmit needs --input (the lines come from the input file)", "results");
    if (o.resubmit_failed && o.resubmit_path.empty())
        throw usage_error("--resubmit-failed needs --resubmit", "results");
    return [id = cl.positionals.at(0), o](command_env& env) { return run_results(env, id, o); };
}

} // namespace

boost::json::object results_summary(const results_report& r)
{
    const batch& b = r.final_batch;
    return {
        {"id", b.id},
        {"status", b.status_text},
        {"succeeded", r.counts.succeeded},
        {"failed", r.counts.failed},
        {"not_run", r.counts.not_run},
        {"missing", r.counts.missing},
        {"reconciled", r.reconciled},
        {"output_file_id", b.output_file_id && !b.output_file_id->empty() ? boost::json::value(*b.output_file_id)
                                                                          : boost::json::value(nullptr)},
        {"error_file_id", b.error_file_id && !b.error_file_id->empty() ? boost::json::value(*b.error_file_id)
                                                                       : boost::json::value(nullptr)},
        {"output_lines", r.output_lines},
        {"error_lines", r.error_lines},
        {"duplicates", ids_json(r.duplicate_results)},
        {"unknown", ids_json(r.unknown_ids)},
        {"input_duplicates", ids_json(r.duplicate_inputs)},
        {"resubmit_file", path_or_null(r.resubmit_path)},
        {"resubmitted", r.resubmitted},
        {"outcomes_file", path_or_null(r.outcomes_path)},
    };
}

results_options results_in_dir(const std::string& dir, const std::string& batch_id, const std::string& input)
{
    if (!is_safe_file_id(batch_id)) {
        diagnostics diag;
        diag.message = "the batch id is not usable as a file name";
        throw exception(error::invalid_response, std::move(diag));
    }
    std::error_code fs_ec;
    std::filesystem::create_directories(dir, fs_ec);
    if (fs_ec) {
        diagnostics diag;
        diag.message = "cannot create the directory '" + dir + "': " + fs_ec.message();
        throw exception(error::file_error, std::move(diag));
    }
    results_options o;
    o.outcomes_path = (std::filesystem::path(dir) / (batch_id + ".outcomes.jsonl")).string();
    if (!input.empty()) {
        o.input_path = input;
        o.resubmit_path = (std::filesystem::path(dir) / (batch_id + ".resubmit.jsonl")).string();
    }
    return o;
}

asio::awaitable<void> print_results(command_env& env, batch b, results_options opts)
{
    const results_report r = co_await collect_results(env.api, std::move(b), std::move(opts));
    print_json(results_summary(r), env.settings.pretty);
}

const command_spec& results_command()
{
    static const command_spec spec{
        {"results", results_options_spec, 1, 1, "ID"},
        "results ID [--input FILE] [--resubmit FILE] [--resubmit-failed] [-o FILE]",
        "what became of each request of a finished batch; the unrun ones ready to resubmit",
        "Reads the batch's output and error files (streamed; a null or empty file id means\n"
        "no such file) and classifies every custom_id, never by line order:\n"
        "  succeeded  a 2xx response          failed   any other response, or a real error\n"
        "  not_run    batch_cancelled or batch_expired: never executed\n"
        "With --input (the batch's input JSONL), every input request is classified, and\n"
        "those in neither file are missing. Prints one JSON object on stdout: id, status,\n"
        "succeeded, failed, not_run, missing (0 without --input), the files read, duplicate\n"
        "and unknown custom_ids (counted, the first few listed), and the paths written.\n"
        "\n"
        "--resubmit FILE writes the original input lines, byte for byte, of the not_run and\n"
        "missing requests (and the failed ones with --resubmit-failed): a new batch's input.\n"
        "-o FILE writes one JSON line per custom_id: {\"custom_id\", \"outcome\", \"status_code\",\n"
        "\"request_id\", \"body\" or \"error\"}. Both are written to FILE.part and renamed when\n"
        "everything succeeded: after a failure no file is left behind.\n"
        "\n"
        "A batch that has not ended is refused (exit status 2): its files are not final.",
        make_results_job,
    };
    return spec;
}

} // namespace batchwire::cli
