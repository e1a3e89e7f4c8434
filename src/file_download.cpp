// GET /files/{id}/content, streamed: to the caller's sink, or into a local file that
// appears whole or not at all.

#include <batchwire/client.hpp>

#include "api_call.hpp"
#include "part_file.hpp"

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {
namespace {

// A coroutine: the sink, the file and the byte count live in its frame until the request
// has ended.
asio::awaitable<op_result<std::uint64_t>> download_call(std::shared_ptr<client_state> st, std::string segment,
                                                        chunk_sink user_sink, std::string out_path, request_options ro)
{
    op_result<std::uint64_t> r;
    part_file file;
    if (!out_path.empty() && !file.open(out_path, r.diag.message)) {
        r.ec = error::file_error;
        co_return r;
    }
    chunk_sink sink = [&](std::string_view chunk, error_code& ec) {
        r.value += chunk.size();
        if (!file.is_open())
            user_sink(chunk, ec);
        else if (!file.write(chunk))
            ec = error::file_error;
    };
    r.ec = co_await stream_file_content(*st, segment, sink, ro, r.diag);
    if (!r.ec && file.is_open() && !file.commit(r.diag.message))
        r.ec = error::file_error;
    co_return r; // on failure, `file` removes the .part
}

void launch_download(const std::shared_ptr<client_state>& st, std::string id, chunk_sink sink, std::string out_path,
                     request_options ro, diagnostics* diag,
                     boost::asio::any_completion_handler<void(error_code, std::uint64_t)> h)
{
    launch_for_file_id<std::uint64_t>(st, id, diag, std::move(h), [&](std::string segment) {
        return download_call(st, std::move(segment), std::move(sink), std::move(out_path), std::move(ro));
    });
}

} // namespace
} // namespace detail

void client::start_download_file(const state_ptr& st, std::string id, chunk_sink sink, request_options ro,
                                 diagnostics* diag, handler_of<std::uint64_t> h)
{
    if (!sink)
        return detail::launch_operation<std::uint64_t>(st->op_executors, diag, std::move(h),
                                                       detail::fail_now<std::uint64_t>(error::invalid_argument,
                                                                                       "no sink to download into"));
    detail::launch_download(st, std::move(id), std::move(sink), {}, std::move(ro), diag, std::move(h));
}

void client::start_download_file_to(const state_ptr& st, std::string id, std::string path, request_options ro,
                                    diagnostics* diag, handler_of<std::uint64_t> h)
{
    if (path.empty())
        return detail::launch_operation<std::uint64_t>(st->op_executors, diag, std::move(h),
                                                       detail::fail_now<std::uint64_t>(error::invalid_argument,
                                                                                       "no path to download into"));
    detail::launch_download(st, std::move(id), {}, std::move(path), std::move(ro), diag, std::move(h));
}

} // namespace batchwire
