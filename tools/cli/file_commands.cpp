// upload, download, file: the Files API commands.

#include "command_table.hpp"
#include "json_output.hpp"

#include <array>
#include <cstdio>
#include <system_error>

namespace batchwire::cli {

namespace asio = boost::asio;

namespace {

// ---- upload ---------------------------------------------------------------------------

constexpr std::array upload_options{
    option_spec{"purpose", 0, "P", "the file's purpose (default: batch)"},
};

asio::awaitable<exit_status> run_upload(command_env& env, file_upload_params p)
{
    const request_options ro; // named: see command_table.hpp
    const file_object f = co_await env.api.upload_file(std::move(p), ro);
    print_object(f, env.settings.pretty);
    co_return exit_status::success;
}

command_job make_upload_job(const command_line& cl)
{
    file_upload_params p;
    p.path = cl.positionals.at(0);
    if (auto v = cl.options.value("purpose")) {
        if (v->empty())
            throw usage_error("--purpose is empty", "upload");
        p.purpose = *v;
    }
    return [p](command_env& env) { return run_upload(env, p); };
}

// ---- download -------------------------------------------------------------------------

constexpr std::array download_options{
    option_spec{"output", 'o', "PATH", "write to PATH (via PATH.part, renamed when complete) instead of stdout"},
};

struct download_args {
    std::string file_id;
    std::string path; // empty: stdout
};

asio::awaitable<exit_status> run_download(command_env& env, download_args a)
{
    const request_options ro; // named: see command_table.hpp
    if (!a.path.empty()) {
        const std::uint64_t bytes = co_await env.api.download_file_to(a.file_id, a.path, ro);
        std::fprintf(stderr, "batchwire: wrote %llu bytes to %s\n", static_cast<unsigned long long>(bytes),
                     a.path.c_str());
        co_return exit_status::success;
    }

    // Streamed: each chunk goes out as it arrives, whatever the file's size.
    std::error_code write_ec;
    chunk_sink to_stdout = [&write_ec](std::string_view chunk, boost::system::error_code& ec) {
        if (!write_stdout(chunk, write_ec))
            ec = error::file_error;
    };
    try {
        co_await env.api.download_file(a.file_id, std::move(to_stdout), ro);
    } catch (const exception& e) {
        if (e.code() != error::file_error || !write_ec)
            throw;
        // The library only knows that the sink failed; say what failed.
        diagnostics diag = e.get_diagnostics();
        diag.message = "cannot write to stdout: " + write_ec.message();
        throw exception(e.code(), std::move(diag));
    }
    flush_stdout();
    co_return exit_status::success;
}

command_job make_download_job(const command_line& cl)
{
    download_args a;
    a.file_id = cl.positionals.at(0);
    if (auto v = cl.options.value("output")) {
        if (v->empty())
            throw usage_error("--output is empty", "download");
        a.path = *v;
    }
    return [a](command_env& env) { return run_download(env, a); };
}

// ---- file -----------------------------------------------------------------------------

asio::awaitable<exit_status> run_file(command_env& env, std::string file_id)
{
    const request_options ro; // named: see command_table.hpp
    const file_object f = co_await env.api.retrieve_file(std::move(file_id), ro);
    print_object(f, env.settings.pretty);
    co_return exit_status::success;
}

command_job make_file_job(const command_line& cl)
{
    return [id = cl.positionals.at(0)](command_env& env) { return run_file(env, id); };
}

} // namespace

const command_spec& upload_command()
{
    static const command_spec spec{
        {"upload", upload_options, 1, 1, "PATH"},
        "upload PATH [--purpose batch]",
        "upload a file (a batch's JSONL input)",
        "Uploads the local file (streamed, never loaded whole) and prints the file object as\n"
        "JSON; its id is what 'create --input-file' takes. An upload is not retried once sent.",
        make_upload_job,
    };
    return spec;
}

const command_spec& download_command()
{
    static const command_spec spec{
        {"download", download_options, 1, 1, "FILE_ID"},
        "download FILE_ID [-o PATH]",
        "download a file's content (e.g. a batch's output or error file)",
        "Streams the file's content to stdout, or with -o to PATH (written to PATH.part and\n"
        "renamed when complete; the byte count is reported on stderr). A write error on\n"
        "stdout or PATH is a local file error (exit status 6).",
        make_download_job,
    };
    return spec;
}

const command_spec& file_command()
{
    static const command_spec spec{
        {"file", {}, 1, 1, "FILE_ID"},
        "file FILE_ID",
        "retrieve a file's metadata",
        "Retrieves the file object (id, bytes, filename, purpose, status, ...) and prints it\n"
        "as JSON on stdout.",
        make_file_job,
    };
    return spec;
}

} // namespace batchwire::cli
