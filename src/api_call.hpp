#ifndef BATCHWIRE_SRC_API_CALL_HPP
#define BATCHWIRE_SRC_API_CALL_HPP

// An API call whose answer is a JSON object of type T: the request, then the body decoded
// within the client's limits. Shared by every endpoint file.

#include "client_state.hpp"
#include "id_segment.hpp"
#include "json_scratch.hpp"
#include "operation_launch.hpp"
#include "request_loop.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace batchwire::detail {

template <class T>
T decode_body(const client_state& st, const std::string& body, boost::system::error_code& ec, diagnostics& diag)
{
    json_parse_options po;
    po.max_depth = st.opts.limits.max_json_depth;
    po.max_size = st.opts.limits.max_body_bytes;
    return decode_json<T>(body, po, ec, diag);
}

// The response's body decoded into r.value, or the decoding's failure in r.
template <class T>
void decode_response(const client_state& st, const api_response& resp, op_result<T>& r)
{
    r.value = decode_body<T>(st, resp.body, r.ec, r.diag);
    if (r.ec)
        r.diag.request_id = resp.headers["x-request-id"];
}

// Holds the state: the operation may outlive its client object.
template <class T>
boost::asio::awaitable<op_result<T>> json_call(std::shared_ptr<client_state> st, api_request req, request_options ro)
{
    op_result<T> r;
    api_response resp;
    r.ec = co_await run_request(*st, req, ro, resp, r.diag);
    if (!r.ec)
        decode_response(*st, resp, r);
    co_return r;
}

// json_call as a client operation: one frame that also completes the handler.
template <class T>
boost::asio::awaitable<void> json_operation(std::shared_ptr<client_state> st, api_request req, request_options ro,
                                            operation_handler<T> h, diagnostics* diag, std::uint64_t launch)
{
    co_await boost::asio::this_coro::throw_if_cancelled(false); // cancellation is a result, never a throw
    op_result<T> r;
    try {
        api_response resp;
        r.ec = co_await run_request(*st, req, ro, resp, r.diag);
        if (!r.ec)
            decode_response(*st, resp, r);
    } catch (...) {
        fail_with_exception(r, std::current_exception());
    }
    if (still_launching(launch))
        co_await boost::asio::post(boost::asio::use_awaitable);
    complete_operation(h, diag, r);
}

// Starts json_call<T> as the client operation completing `h`.
template <class T>
void launch_json_call(const std::shared_ptr<client_state>& st, api_request req, request_options ro, diagnostics* diag,
                      operation_handler<T> h)
{
    spawn_operation<T>(st->op_executors, std::move(h), [&](operation_handler<T> h2, std::uint64_t launch) {
        return json_operation<T>(st, std::move(req), std::move(ro), std::move(h2), diag, launch);
    });
}

// An operation refused before anything is sent; still completed like any other, never
// inside its initiating function (run_operation posts it).
template <class T>
boost::asio::awaitable<op_result<T>> fail_now(boost::system::error_code ec, std::string message)
{
    op_result<T> r;
    r.ec = ec;
    r.diag.message = std::move(message);
    co_return r;
}

// The request target of an endpoint: the base URL's path prefix, then `rest`.
inline std::string api_path(const client_state& st, std::string_view rest)
{
    return st.org.path_prefix + std::string(rest);
}

// Starts `call(segment)` as an operation for the file `id`, or completes the operation with
// the refusal of an id that cannot be a path segment (nothing sent).
template <class T, class Call>
void launch_for_file_id(const std::shared_ptr<client_state>& st, std::string_view id, diagnostics* diag,
                        boost::asio::any_completion_handler<void(boost::system::error_code, T)> h, Call call)
{
    boost::system::error_code ec;
    std::string why;
    auto segment = id_segment(id, "file", ec, why);
    if (ec)
        return launch_operation<T>(st->op_executors, diag, std::move(h), fail_now<T>(ec, std::move(why)));
    launch_operation<T>(st->op_executors, diag, std::move(h), call(std::move(segment)));
}

// GET /files/{segment}/content, the body streamed into `sink`. The caller's frame holds
// every argument until this completes (it is awaited at once).
inline boost::asio::awaitable<boost::system::error_code> stream_file_content(const client_state& st,
                                                                              const std::string& segment,
                                                                              const chunk_sink& sink,
                                                                              const request_options& ro,
                                                                              diagnostics& diag)
{
    api_request req;
    req.target = api_path(st, "/files/" + segment + "/content");
    req.sink = &sink;
    api_response resp;
    co_return co_await run_request(st, req, ro, resp, diag);
}

} // namespace batchwire::detail

#endif
