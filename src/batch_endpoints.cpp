// The Batch endpoints: cancel, retrieve, create, list.

#include <batchwire/client.hpp>

#include "api_call.hpp"
#include "batch_calls.hpp"
#include "id_segment.hpp"
#include "origin.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;
namespace http = boost::beast::http;

namespace detail {

// The request of a retrieve (or a cancel) of the batch `id`; ec and why say why an id that
// cannot be a path segment is refused.
api_request batch_request(const client_state& st, std::string_view id, bool cancel, error_code& ec, std::string& why)
{
    api_request req;
    const auto segment = id_segment(id, "batch", ec, why);
    if (ec)
        return req;
    req.method = cancel ? http::verb::post : http::verb::get;
    req.target = api_path(st, "/batches/" + segment + (cancel ? "/cancel" : ""));
    req.idempotent = true; // a retrieve is safe; cancelling twice leaves the batch cancelling
    req.conflict_refusal_is_final = cancel; // 409 invalid_request_error: the batch has ended
    return req;
}

asio::awaitable<op_result<batch>> batch_by_id(std::shared_ptr<client_state> st, std::string id, bool cancel,
                                              request_options ro)
{
    error_code ec;
    std::string why;
    auto req = batch_request(*st, id, cancel, ec, why);
    if (ec)
        co_return co_await fail_now<batch>(ec, std::move(why));
    co_return co_await json_call<batch>(std::move(st), std::move(req), std::move(ro));
}

// The client's cancel and retrieve: the request is made before the operation starts, which
// then is the JSON call itself.
void start_by_id(const std::shared_ptr<client_state>& st, std::string_view id, bool cancel, request_options ro,
                 diagnostics* diag, boost::asio::any_completion_handler<void(error_code, batch)> h)
{
    error_code ec;
    std::string why;
    auto req = batch_request(*st, id, cancel, ec, why);
    if (ec)
        return launch_operation<batch>(st->op_executors, diag, std::move(h), fail_now<batch>(ec, std::move(why)));
    launch_json_call<batch>(st, std::move(req), std::move(ro), diag, std::move(h));
}

namespace {

// The query of a list call, or the reason it is refused.
std::string list_query(const batch_list_params& p, error_code& ec, std::string& why)
{
    if (p.limit && (*p.limit < 1 || *p.limit > 100)) {
        ec = error::invalid_argument;
        why = "limit must be 1..100";
        return {};
    }
    std::string query;
    if (p.after) {
        if (p.after->empty()) {
            ec = error::invalid_argument;
            why = "empty `after` cursor";
            return {};
        }
        error_code ignored; // not empty, so always encodable
        query += "after=" + encode_path_segment(*p.after, ignored);
    }
    if (p.limit)
        query += (query.empty() ? "" : "&") + std::string("limit=") + std::to_string(*p.limit);
    return query;
}

} // namespace

} // namespace detail

void client::start_cancel(const state_ptr& st, std::string id, request_options ro, diagnostics* diag,
                          handler_of<batch> h)
{
    detail::start_by_id(st, id, true, std::move(ro), diag, std::move(h));
}

void client::start_retrieve(const state_ptr& st, std::string id, request_options ro, diagnostics* diag,
                            handler_of<batch> h)
{
    detail::start_by_id(st, id, false, std::move(ro), diag, std::move(h));
}

void client::start_create(const state_ptr& st, batch_create_params p, request_options ro, diagnostics* diag,
                          handler_of<batch> h)
{
    std::string why;
    if (auto ec = p.validate(&why))
        return detail::launch_operation<batch>(st->op_executors, diag, std::move(h), detail::fail_now<batch>(ec, why));
    detail::api_request req;
    req.method = http::verb::post;
    req.target = detail::api_path(*st, "/batches");
    req.body = boost::json::serialize(boost::json::value_from(p));
    req.content_type = "application/json";
    req.idempotency_key = ro.idempotency_key;
    req.idempotent = !ro.idempotency_key.empty(); // else a resend could create a second batch
    detail::launch_json_call<batch>(st, std::move(req), std::move(ro), diag, std::move(h));
}

void client::start_list(const state_ptr& st, batch_list_params p, request_options ro, diagnostics* diag,
                        handler_of<batch_page> h)
{
    error_code ec;
    std::string why;
    const auto query = detail::list_query(p, ec, why);
    if (ec)
        return detail::launch_operation<batch_page>(st->op_executors, diag, std::move(h),
                                                    detail::fail_now<batch_page>(ec, std::move(why)));
    detail::api_request req;
    req.target = detail::api_path(*st, "/batches");
    if (!query.empty())
        req.target += "?" + query;
    detail::launch_json_call<batch_page>(st, std::move(req), std::move(ro), diag, std::move(h));
}

} // namespace batchwire
