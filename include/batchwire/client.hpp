#ifndef BATCHWIRE_CLIENT_HPP
#define BATCHWIRE_CLIENT_HPP

// The client: every Batch and File operation of the API, in three forms each.
//
//   throwing awaitable    batch b = co_await c.cancel(id);                 // throws batchwire::exception
//   error code + diag     auto [ec, b] = co_await c.async_cancel(id, diag, asio::as_tuple(asio::use_awaitable));
//   any completion token  c.async_cancel(id, diag, [](error_code ec, batch b) {...});   // or use_future, ...
//
// Common to every operation (written once here, not repeated below):
// - Executor: the operation runs on a strand of the client's executor and completes on the
//   completion handler's associated executor (the client's, when it has none). It never
//   blocks and never creates a thread. The io_context may run on several threads.
// - Lifetimes: arguments are copied at initiation. `diag` and request_options::metadata
//   must stay valid until completion. The client may be destroyed while operations run;
//   they finish, and their connections then close.
// - Retries: per client_options::retry (the official SDKs' policy); see error.hpp's is_retryable.
// - Per-operation cancellation (any type: terminal, partial, total), via the completion
//   handler's cancellation slot (e.g. asio::bind_cancellation_slot, awaitable operators):
//   before the request is written, nothing was sent and the operation completes with
//   error::cancelled; after it was written, the connection is closed (never reused), the
//   operation completes with error::cancelled and diagnostics::request_may_have_been_processed
//   is true: the server may have acted (e.g. the batch may be cancelling).
// - Errors: error codes of batchwire::error; details in diagnostics (HTTP status, the API's
//   message/type/param/code, x-request-id). Credentials never appear in either.
// - Thread safety: distinct objects safe; a client may start operations from any thread.
// - g++ 12: an aggregate temporary inside a co_await expression is miscompiled (relocated
//   bitwise, then freed twice): `co_await c.create({.input_file_id = f})` and default
//   arguments like `request_options ro = {}` crash. So the API has overloads where default
//   arguments would stand, and parameters go in named variables:
//       const batch_create_params p{.input_file_id = f, .endpoint = "/v1/embeddings"};
//       batch b = co_await c.create(p);
//   (GCC 13 and Clang are not affected.)

#include <batchwire/batch.hpp>
#include <batchwire/batch_create_params.hpp>
#include <batchwire/batch_line.hpp>
#include <batchwire/client_options.hpp>
#include <batchwire/error.hpp>
#include <batchwire/file.hpp>
#include <batchwire/page.hpp>
#include <batchwire/request_options.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire {

struct batch_list_params {
    std::optional<std::string> after; // cursor: the id of the last batch of the previous page
    std::optional<unsigned> limit;    // 1..100; the API's default is 20
};

struct file_upload_params {
    std::string path;               // a local file; streamed, never loaded whole
    std::string purpose = "batch";
    std::string filename;           // defaults to the path's file name
    std::optional<file_expiration> expires_after;
};

// Receives a downloaded body chunk by chunk; setting ec stops the download with that error.
using chunk_sink = std::function<void(std::string_view chunk, boost::system::error_code& ec)>;
// Receives each line of a batch output or error file, parsed; setting ec stops the reading.
using batch_line_handler = std::function<void(batch_output_line&& line, boost::system::error_code& ec)>;

struct connection_stats {
    std::uint64_t opened = 0; // connections opened (connect + TLS handshake)
    std::uint64_t reused = 0; // requests served on a kept-alive connection
    std::uint64_t closed = 0;
    std::uint64_t stale = 0;  // idle connections found closed by the server, or expired
    std::uint64_t resumed = 0; // TLS handshakes that resumed an earlier session (abbreviated)
};

namespace detail {
struct client_state;  // opaque: what a client and its running operations share
struct client_access; // how the library's own layers reach it (not part of the API)
} // namespace detail

class client {
public:
    using executor_type = boost::asio::any_io_executor;

    // Throws batchwire::exception: invalid_base_url, missing_api_key (an empty api_key),
    // tls_handshake_failed (a CA that cannot be loaded). Performs no I/O.
    client(executor_type ex, client_options opts);
    client(boost::asio::io_context& ctx, client_options opts);
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    // Closes idle connections; running operations finish on their own.
    ~client();

    executor_type get_executor() const noexcept;
    const client_options& options() const noexcept;
    connection_stats stats() const noexcept;

    // ---- Batches ----------------------------------------------------------------------

    // POST /batches/{id}/cancel. Completes with the batch, normally in status `cancelling`
    // (it becomes `cancelled` within about 10 minutes; see watch_until_terminal).
    // Handler: void(error_code, batch). Retried like a GET: cancelling twice is harmless.
    // Errors: invalid_argument (empty id, "." or ".."; nothing sent), not_found, the API's
    // refusal to cancel a terminal batch, transport errors, cancelled, deadline_exceeded.
    // The refusal is 409 `invalid_request_error` ("Cannot cancel a batch with status
    // 'completed'."; some servers send 400): error::conflict, final, no retry spent on it
    // (unless the server sends x-should-retry: true). Other 409s are lock conflicts and are
    // retried like any 409.
    template <class Token>
    auto async_cancel(std::string_view batch_id, const request_options& ro, diagnostics& diag, Token&& token)
    {
        return initiate<batch>(token, &client::start_cancel, std::string(batch_id), ro, &diag);
    }
    template <class Token>
    auto async_cancel(std::string_view batch_id, diagnostics& diag, Token&& token)
    {
        return async_cancel(batch_id, request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<batch> cancel(std::string batch_id);
    boost::asio::awaitable<batch> cancel(std::string batch_id, request_options ro);

    // GET /batches/{id}. Handler: void(error_code, batch).
    // Errors: invalid_argument (empty id, "." or ".."; nothing sent), not_found, transport
    // errors, cancelled, deadline_exceeded.
    template <class Token>
    auto async_retrieve(std::string_view batch_id, const request_options& ro, diagnostics& diag, Token&& token)
    {
        return initiate<batch>(token, &client::start_retrieve, std::string(batch_id), ro, &diag);
    }
    template <class Token>
    auto async_retrieve(std::string_view batch_id, diagnostics& diag, Token&& token)
    {
        return async_retrieve(batch_id, request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<batch> retrieve(std::string batch_id);
    boost::asio::awaitable<batch> retrieve(std::string batch_id, request_options ro);

    // POST /batches. The parameters are validated first (invalid_argument, nothing sent).
    // Resent after a failure only when request_options::idempotency_key is set or the
    // request was not written yet: otherwise a retry could create two batches.
    // Handler: void(error_code, batch). Errors: invalid_argument, the API's validation
    // errors, transport errors, cancelled, deadline_exceeded.
    template <class Token>
    auto async_create(const batch_create_params& params, const request_options& ro, diagnostics& diag, Token&& token)
    {
        return initiate<batch>(token, &client::start_create, params, ro, &diag);
    }
    template <class Token>
    auto async_create(const batch_create_params& params, diagnostics& diag, Token&& token)
    {
        return async_create(params, request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<batch> create(batch_create_params params);
    boost::asio::awaitable<batch> create(batch_create_params params, request_options ro);

    // GET /batches?after=&limit= : one page, newest first. Handler: void(error_code, batch_page).
    // Errors: invalid_argument (limit outside 1..100, an empty `after`; nothing sent),
    // transport errors, cancelled, deadline_exceeded.
    template <class Token>
    auto async_list(const batch_list_params& p, const request_options& ro, diagnostics& diag, Token&& token)
    {
        return initiate<batch_page>(token, &client::start_list, p, ro, &diag);
    }
    template <class Token>
    auto async_list(const batch_list_params& p, diagnostics& diag, Token&& token)
    {
        return async_list(p, request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<batch_page> list(batch_list_params p);
    boost::asio::awaitable<batch_page> list(batch_list_params p, request_options ro);
    boost::asio::awaitable<batch_page> list(); // the first page, the API's default limit

    // ---- Files ------------------------------------------------------------------------

    // POST /files (multipart/form-data), the file streamed from disk. Not resent once
    // written (an upload is not idempotent). Handler: void(error_code, file_object).
    // Errors: file_error (the local file), the API's validation errors, transport errors,
    // cancelled, deadline_exceeded.
    template <class Token>
    auto async_upload_file(const file_upload_params& p, const request_options& ro, diagnostics& diag, Token&& token)
    {
        return initiate<file_object>(token, &client::start_upload_file, p, ro, &diag);
    }
    template <class Token>
    auto async_upload_file(const file_upload_params& p, diagnostics& diag, Token&& token)
    {
        return async_upload_file(p, request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<file_object> upload_file(file_upload_params p);
    boost::asio::awaitable<file_object> upload_file(file_upload_params p, request_options ro);

    // GET /files/{id}. Handler: void(error_code, file_object).
    // Errors: invalid_argument (empty id, "." or ".."; nothing sent), not_found, transport
    // errors, cancelled, deadline_exceeded.
    template <class Token>
    auto async_retrieve_file(std::string_view file_id, const request_options& ro, diagnostics& diag, Token&& token)
    {
        return initiate<file_object>(token, &client::start_retrieve_file, std::string(file_id), ro, &diag);
    }
    template <class Token>
    auto async_retrieve_file(std::string_view file_id, diagnostics& diag, Token&& token)
    {
        return async_retrieve_file(file_id, request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<file_object> retrieve_file(std::string file_id);
    boost::asio::awaitable<file_object> retrieve_file(std::string file_id, request_options ro);

    // GET /files/{id}/content, streamed: each chunk goes to `sink` as it arrives, in
    // bounded memory. Handler: void(error_code, std::uint64_t bytes). Retried only while
    // no byte has reached the sink. Errors: invalid_argument (a bad id or no sink),
    // not_found, connection_lost (cut midway), the sink's own error, transport errors,
    // cancelled, deadline_exceeded.
    template <class Token>
    auto async_download_file(std::string_view file_id, chunk_sink sink, const request_options& ro, diagnostics& diag,
                             Token&& token)
    {
        return initiate<std::uint64_t>(token, &client::start_download_file, std::string(file_id), std::move(sink), ro,
                                       &diag);
    }
    template <class Token>
    auto async_download_file(std::string_view file_id, chunk_sink sink, diagnostics& diag, Token&& token)
    {
        return async_download_file(file_id, std::move(sink), request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<std::uint64_t> download_file(std::string file_id, chunk_sink sink);
    boost::asio::awaitable<std::uint64_t> download_file(std::string file_id, chunk_sink sink, request_options ro);

    // The same into a local file: written to "<path>.part", renamed to `path` when complete;
    // after a failure neither exists. Errors: as above, and file_error (the local file).
    template <class Token>
    auto async_download_file_to(std::string_view file_id, std::string path, const request_options& ro,
                                diagnostics& diag, Token&& token)
    {
        return initiate<std::uint64_t>(token, &client::start_download_file_to, std::string(file_id), std::move(path),
                                       ro, &diag);
    }
    template <class Token>
    auto async_download_file_to(std::string_view file_id, std::string path, diagnostics& diag, Token&& token)
    {
        return async_download_file_to(file_id, std::move(path), request_options{}, diag, std::forward<Token>(token));
    }
    boost::asio::awaitable<std::uint64_t> download_file_to(std::string file_id, std::string path);
    boost::asio::awaitable<std::uint64_t> download_file_to(std::string file_id, std::string path, request_options ro);

    // GET /files/{id}/content of a batch output or error file, parsed line by line in
    // bounded memory (response_limits::max_line_bytes per line). Handler:
    // void(error_code, std::uint64_t lines). A line that is not a valid output line stops
    // the reading with invalid_response naming the line number; the handler's own error
    // stops it with that error. Other errors: as for async_download_file.
    template <class Token>
    auto async_read_batch_lines(std::string_view file_id, batch_line_handler on_line, const request_options& ro,
                                diagnostics& diag, Token&& token)
    {
        return initiate<std::uint64_t>(token, &client::start_read_batch_lines, std::string(file_id),
                                       std::move(on_line), ro, &diag);
    }
    template <class Token>
    auto async_read_batch_lines(std::string_view file_id, batch_line_handler on_line, diagnostics& diag,
                                Token&& token)
    {
        return async_read_batch_lines(file_id, std::move(on_line), request_options{}, diag,
                                      std::forward<Token>(token));
    }
    boost::asio::awaitable<std::uint64_t> read_batch_lines(std::string file_id, batch_line_handler on_line);
    boost::asio::awaitable<std::uint64_t> read_batch_lines(std::string file_id, batch_line_handler on_line,
                                                           request_options ro);

private:
    friend struct detail::client_access;

    using state_ptr = std::shared_ptr<detail::client_state>;
    template <class T>
    using handler_of = boost::asio::any_completion_handler<void(boost::system::error_code, T)>;

    // Every operation goes through one of these: its arguments, copied at initiation, and a
    // type-erased handler, so that the work is compiled once, in the library.
    static void start_cancel(const state_ptr& st, std::string id, request_options ro, diagnostics* diag,
                             handler_of<batch> h);
    static void start_retrieve(const state_ptr& st, std::string id, request_options ro, diagnostics* diag,
                               handler_of<batch> h);
    static void start_create(const state_ptr& st, batch_create_params p, request_options ro, diagnostics* diag,
                             handler_of<batch> h);
    static void start_list(const state_ptr& st, batch_list_params p, request_options ro, diagnostics* diag,
                           handler_of<batch_page> h);
    static void start_upload_file(const state_ptr& st, file_upload_params p, request_options ro, diagnostics* diag,
                                  handler_of<file_object> h);
    static void start_retrieve_file(const state_ptr& st, std::string id, request_options ro, diagnostics* diag,
                                    handler_of<file_object> h);
    static void start_download_file(const state_ptr& st, std::string id, chunk_sink sink, request_options ro,
                                    diagnostics* diag, handler_of<std::uint64_t> h);
    static void start_download_file_to(const state_ptr& st, std::string id, std::string path, request_options ro,
                                       diagnostics* diag, handler_of<std::uint64_t> h);
    static void start_read_batch_lines(const state_ptr& st, std::string id, batch_line_handler on_line,
                                       request_options ro, diagnostics* diag, handler_of<std::uint64_t> h);

    // The initiation holds the state, not `this`: a deferred operation may start after the
    // client object was moved.
    template <class T, class Token, class Start, class... Args>
    auto initiate(Token& token, Start start, Args&&... args) const
    {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, T)>(
            [st = state_, start](auto h, auto&&... a) {
                start(st, std::forward<decltype(a)>(a)..., handler_of<T>(std::move(h)));
            },
            token, std::forward<Args>(args)...);
    }

    state_ptr state_;
};

// All batches, page after page (newest first): `while (auto b = co_await pager.next())`.
// The client must outlive the pager; one pager serves one coroutine at a time.
class batch_pager {
public:
    batch_pager(client& c, batch_list_params p = {}, request_options ro = {});
    // The next batch, fetching the next page when needed; nullopt at the end. Throws.
    boost::asio::awaitable<std::optional<batch>> next();
    // The next whole page; nullopt at the end. Throws.
    boost::asio::awaitable<std::optional<batch_page>> next_page();

private:
    client* client_;
    batch_list_params params_;
    request_options ro_;
    std::vector<batch> buffered_;
    std::size_t pos_ = 0;
    bool done_ = false;
};

} // namespace batchwire

#endif
