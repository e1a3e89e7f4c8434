#include "batch_lines_download.hpp"

#include "api_call.hpp"
#include "batch_line_reader.hpp"

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {
namespace {

// A coroutine: the reader lives in its frame until the request has ended.
asio::awaitable<op_result<std::uint64_t>> read_lines_call(std::shared_ptr<client_state> st, std::string segment,
                                                          batch_line_handler on_line, request_options ro)
{
    op_result<std::uint64_t> r;
    json_parse_options po;
    po.max_depth = st->opts.limits.max_json_depth;
    po.max_size = st->opts.limits.max_body_bytes;
    batch_line_reader reader(po, st->opts.limits.max_line_bytes, on_line);
    chunk_sink sink = [&](std::string_view chunk, error_code& ec) { reader.feed(chunk, ec); };
    r.ec = co_await stream_file_content(*st, segment, sink, ro, r.diag);
    if (!r.ec)
        reader.finish(r.ec);
    if (!reader.failure().empty()) {
        r.diag.message = reader.failure();
        if (r.ec == error::connection_lost || !r.ec)
            r.ec = error::invalid_response; // a cut inside a bad line is the line's fault
    }
    r.value = reader.lines();
    co_return r;
}

} // namespace

void launch_read_lines(const std::shared_ptr<client_state>& st, std::string id, batch_line_handler on_line,
                       request_options ro, diagnostics* diag,
                       boost::asio::any_completion_handler<void(error_code, std::uint64_t)> h)
{
    launch_for_file_id<std::uint64_t>(st, id, diag, std::move(h), [&](std::string segment) {
        return read_lines_call(st, std::move(segment), std::move(on_line), std::move(ro));
    });
}

} // namespace detail

void client::start_read_batch_lines(const state_ptr& st, std::string id, batch_line_handler on_line,
                                    request_options ro, diagnostics* diag, handler_of<std::uint64_t> h)
{
    detail::launch_read_lines(st, std::move(id), std::move(on_line), std::move(ro), diag, std::move(h));
}

} // namespace batchwire
