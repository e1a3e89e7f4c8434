// The File endpoints that answer with a file object: upload, retrieve.

#include <batchwire/client.hpp>

#include "api_call.hpp"
#include "multipart_body.hpp"

namespace batchwire {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace detail {
namespace {

// A coroutine: the streamed body lives in its frame until the request has ended.
asio::awaitable<op_result<file_object>> upload_call(std::shared_ptr<client_state> st, file_upload_params p,
                                                    request_options ro)
{
    op_result<file_object> r;
    streamed_body body;
    std::string content_type;
    if (auto ec = make_multipart_upload(p, body, content_type, r.diag.message)) {
        r.ec = ec;
        co_return r;
    }
    api_request req;
    req.method = http::verb::post;
    req.target = api_path(*st, "/files");
    req.content_type = content_type;
    req.streamed = &body;
    req.idempotent = false; // a second upload would be a second file
    co_return co_await json_call<file_object>(std::move(st), std::move(req), std::move(ro));
}

} // namespace
} // namespace detail

void client::start_upload_file(const state_ptr& st, file_upload_params p, request_options ro, diagnostics* diag,
                               handler_of<file_object> h)
{
    detail::launch_operation<file_object>(st->op_executors, diag, std::move(h),
                                          detail::upload_call(st, std::move(p), std::move(ro)));
}

void client::start_retrieve_file(const state_ptr& st, std::string id, request_options ro, diagnostics* diag,
                                 handler_of<file_object> h)
{
    detail::launch_for_file_id<file_object>(st, id, diag, std::move(h), [&](std::string segment) {
        detail::api_request req;
        req.target = detail::api_path(*st, "/files/" + segment);
        return detail::json_call<file_object>(st, std::move(req), std::move(ro));
    });
}

} // namespace batchwire
