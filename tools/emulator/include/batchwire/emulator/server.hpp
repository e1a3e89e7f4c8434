#ifndef BATCHWIRE_EMULATOR_SERVER_HPP
#define BATCHWIRE_EMULATOR_SERVER_HPP

// A local, stateful HTTPS server of the OpenAI Batch and Files API, with fault injection
// and a scalable clock. Not part of the client library: the integration tests, the CLI,
// the examples, the benchmark and the demo run against it on loopback.
//
// Endpoints (under /v1): POST /files (multipart), GET /files/{id}, GET /files/{id}/content,
// POST /batches, GET /batches, GET /batches/{id}, POST /batches/{id}/cancel.
//
// Choices where the API is silent (documented here, tested in test/integration):
// - An unknown batch is 404 {type: invalid_request_error, code: null, param: null,
//   message "No batch found with id '<id>'."}; an unknown file is 404 "No such File object: <id>"
//   with param "id".
// - Cancelling a cancelling batch returns it unchanged (200). Cancelling a terminal batch is
//   409 invalid_request_error "Cannot cancel a batch with status '<status>'." code null, as
//   the live API answers; no x-should-retry header (the live API is not known to send one).
// - POST /batches accepts the eight documented endpoints (/v1/responses, /v1/chat/completions,
//   /v1/embeddings, /v1/completions, /v1/moderations, /v1/images/generations,
//   /v1/images/edits, /v1/videos) and refuses any other with 400 invalid_value, param
//   endpoint. Image results carry b64_json (no url); /v1/videos results are video objects.
// - POST /batches with an unknown input file is 400 param input_file_id; with a file whose
//   purpose is not "batch", 400 too.
// - GET /batches with an unknown `after` returns an empty page (has_more false).
// - A batch cancelled while validating runs nothing and gets no output or error file.
// - output_file_id is set only when at least one request succeeded, error_file_id only
//   when at least one failed or never ran.
// - Lines selected by fail_lines() get response {status_code: 400, body: {error: ...}} and
//   error null in the error file; never-run requests get response null and error
//   {code: batch_cancelled | batch_expired}.
// - Validation failures of the input file (status failed) use the codes empty_file,
//   invalid_json_line, missing_required_parameter, duplicate_custom_id, invalid_method,
//   invalid_url (url differs from the batch endpoint) and too_many_tasks, each with `line`.
//
// - Every response carries content-type, content-length, connection, date (the emulated
//   clock), x-request-id ("req_" + 32 hex), openai-processing-ms, openai-version and the six
//   x-ratelimit-* headers (fixed values). File downloads are application/octet-stream.
// - Ids: "batch_" / "file-" + 24 hex digits; output lines "batch_req_" + 32.
// - With emulator_options::webhook_url, each batch that ends is POSTed there as a signed
//   event (webhook_sender.hpp): {"id":"evt_...","object":"event","type":"batch.completed",
//   "created_at":...,"data":{"id":"batch_..."}}, retried with backoff on any non-2xx.
// - Malformed HTTP gets 400, a request head over max_header_bytes 431, a body over its limit
//   413 (each with an API error body and `Connection: close`); the server keeps serving.
//
// Thread safety: every public member function may be called from any thread while the
// server runs on its executor (which may be an io_context run by several threads).
// Lifetime: destroy the server before the io_context it runs on.

#include <batchwire/batch.hpp>
#include <batchwire/batch_create_params.hpp>
#include <batchwire/emulator/emulator_options.hpp>
#include <batchwire/emulator/fault_rule.hpp>
#include <batchwire/emulator/webhook_fault.hpp>
#include <batchwire/emulator/webhook_sender.hpp>
#include <batchwire/file.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::emulator {

namespace detail {
class server_core;
}

class server {
public:
    // Binds and listens (throws boost::system::system_error on failure, std::runtime_error
    // when the TLS identity cannot be made or loaded). Call start() to accept.
    server(boost::asio::any_io_executor ex, emulator_options opts);
    ~server(); // stop()
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Begins accepting connections and driving batch lifecycles on the executor.
    void start();
    // Closes the listener and every connection, stops the lifecycle timer; the executor's
    // io_context then runs out of work. Safe from any thread; idempotent.
    void stop();

    std::string base_url() const; // "https://127.0.0.1:PORT/v1" ("http://" without TLS)
    std::string ca_file() const;  // the CA PEM file ("" for plain http); see emulator_options
    std::string ca_pem() const;
    unsigned short port() const;
    const emulator_options& options() const noexcept;

    // Moves the emulated clock forward (with or without manual_clock) and runs every
    // transition that became due.
    void advance(std::chrono::milliseconds emulated);
    std::int64_t now() const;          // emulated unix seconds
    std::int64_t now_ms() const;       // emulated unix milliseconds

    // Faults (see fault_rule.hpp) and connection behaviour, changeable while serving.
    void add_fault(fault_rule r);
    void clear_faults();
    void set_close_after_requests(std::size_t n);            // 0 = never
    void set_idle_close(std::chrono::milliseconds idle);     // 0 = never; for new waits
    void set_poll_after_hint(std::optional<std::chrono::milliseconds> hint);

    // Webhooks (emulator_options::webhook_url): faults per event (add_webhook_fault throws
    // std::logic_error without a URL) and the sender's counters (all zero without a URL).
    void add_webhook_fault(webhook_fault_rule r);
    void clear_webhook_faults();
    webhook_delivery_stats webhook_deliveries() const;

    // Observation. Patterns are "METHOD /v1/path/{id}" ({anything} matches {id}); empty =
    // every request. Requests to unknown paths count as "METHOD (unknown)".
    std::size_t request_count(std::string_view route_pattern = {}) const;
    // The requests the API has handled (its state read or changed; the answer may still be
    // on its way); requests answered by a fault alone are not counted.
    std::size_t handled_count(std::string_view route_pattern = {}) const;
    std::size_t connections_accepted() const;
    std::size_t open_connections() const;
    std::size_t faults_applied() const;
    std::optional<batchwire::batch> find_batch(std::string_view id) const;
    std::optional<batchwire::file_object> find_file(std::string_view id) const;
    std::optional<std::string> file_content(std::string_view id) const;

    // Seeding for tests, without HTTP. put_file stores `content` as is (purpose "batch"
    // files are validated when a batch runs them, not here). put_batch throws
    // std::invalid_argument when the parameters or the input file are not acceptable.
    batchwire::file_object put_file(std::string filename, std::string purpose, std::string content);
    batchwire::batch put_batch(const batchwire::batch_create_params& params);
    // Which requests fail (land in the error file with a 400 response). Called under the
    // server's lock when a request runs: it must not call back into the server.
    void fail_lines(std::function<bool(std::string_view custom_id)> predicate);

private:
    std::shared_ptr<detail::server_core> core_;
};

} // namespace batchwire::emulator

#endif
