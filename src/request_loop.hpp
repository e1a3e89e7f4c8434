#ifndef BATCHWIRE_SRC_REQUEST_LOOP_HPP
#define BATCHWIRE_SRC_REQUEST_LOOP_HPP

// One API call: attempt -> classify -> back off (retry policy) -> attempt ..., within the
// call's deadline, cancellable at every step. Nothing above this knows about sockets.

#include "client_state.hpp"
#include "connection.hpp"
#include "request_context.hpp"

#include <batchwire/error.hpp>
#include <batchwire/request_options.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace batchwire::detail {

struct api_request {
    http::verb method = http::verb::get;
    std::string target;              // the full target: path prefix, path, query
    std::string body;                // JSON, when content_type is set and not streamed
    std::string content_type;
    const streamed_body* streamed = nullptr; // a body streamed from a file
    const chunk_sink* sink = nullptr;        // where a 2xx body goes, when streamed
    // May be sent again after it was written (GET, cancel, create with an idempotency key).
    // When false, an error status is resent only on x-should-retry: true or a 429 refusal.
    bool idempotent = true;
    std::string idempotency_key;
    // A 409 invalid_request_error is final, not a lock conflict to retry (a cancel: the
    // batch has ended).
    bool conflict_refusal_is_final = false;
};

struct api_response {
    unsigned status = 0;
    std::string body;
    http::fields headers;
};

// Must run on the operation's own executor (operation_executor.hpp).
// Returns the error that ended the call; diag is filled for every failure; ro.metadata,
// when set, for every response. `ctx` and `req` must outlive the call.
boost::asio::awaitable<boost::system::error_code> run_request(const request_context& ctx, const api_request& req,
                                                              const request_options& ro, api_response& out,
                                                              diagnostics& diag);

// The same, with the client's request context.
inline boost::asio::awaitable<boost::system::error_code> run_request(const client_state& st, const api_request& req,
                                                                     const request_options& ro, api_response& out,
                                                                     diagnostics& diag)
{
    return run_request(st.requests(), req, ro, out, diag);
}

} // namespace batchwire::detail

#endif
