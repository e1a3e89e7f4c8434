#ifndef BATCHWIRE_EMULATOR_API_STATE_HPP
#define BATCHWIRE_EMULATOR_API_STATE_HPP

// The emulator's stored files and batches, and the batch lifecycle. Every transition is a
// function of the emulated clock: a batch read at time t shows exactly what it would have
// shown had a timer run every transition on time, so reads settle lazily and a timer (or
// advance()) only keeps idle batches moving. Thread-safe: one mutex guards everything.
//
// Lifecycle (emulated instants, ms):
//   created ─validating_duration→ in_progress (or failed, when the input file is invalid)
//   in_progress: request i (0-based) has run at in_progress + ceil((i+1)·1000/rps)
//   all run → finalizing ─finalizing_duration→ completed (output and error files written)
//   not all run by created + completion_window → expired
//   cancel (validating, in_progress, finalizing) → cancelling; requests keep running for
//   cancel_drain_duration; cancelling + cancelling_window → cancelled

#include <batchwire/batch.hpp>
#include <batchwire/batch_create_params.hpp>
#include <batchwire/emulator/api_error.hpp>
#include <batchwire/emulator/batch_input_check.hpp>
#include <batchwire/emulator/emulated_clock.hpp>
#include <batchwire/emulator/emulator_options.hpp>
#include <batchwire/file.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace batchwire::emulator {

// A file and its bytes; the bytes are a view into shared storage (for an upload, the
// request body itself).
struct stored_file {
    batchwire::file_object meta;
    std::shared_ptr<const std::string> storage;
    std::string_view content;
};

// What makes a request fail instead of running (the error file), or never run.
enum class request_outcome : std::uint8_t { succeeded, failed };

struct batch_record {
    batchwire::batch view; // what reads return
    std::size_t sequence = 0;
    std::shared_ptr<const stored_file> input;
    std::optional<std::int64_t> output_expires_seconds;

    std::int64_t created_ms = 0;
    std::int64_t validated_ms = 0;
    std::int64_t expires_ms = 0;
    std::optional<std::int64_t> in_progress_ms;
    std::int64_t finish_ms = 0; // every request has run (valid once in_progress_ms is set)
    std::optional<std::int64_t> cancelling_ms;

    std::vector<input_request> requests;
    std::vector<request_outcome> outcomes; // one per request run so far
};

class api_state {
public:
    api_state(const emulator_options& opts, const emulated_clock& clock);

    // Files.
    std::shared_ptr<const stored_file> add_file(std::string filename, std::string purpose,
                                                std::shared_ptr<const std::string> storage, std::string_view content,
                                                std::optional<std::int64_t> expires_after_seconds);
    std::shared_ptr<const stored_file> find_file(std::string_view id) const;

    // Batches. Each settles what it reads at the current emulated time.
    std::variant<batchwire::batch, api_error> create_batch(const batchwire::batch_create_params& params);
    std::optional<batchwire::batch> find_batch(std::string_view id);
    std::variant<batchwire::batch, api_error> cancel_batch(std::string_view id);

    struct batch_list {
        std::vector<batchwire::batch> data; // newest first
        bool has_more = false;
    };
    // The `limit` batches created before `after` (newest first); an unknown `after` gives an empty list.
    batch_list list_batches(std::optional<std::string_view> after, std::size_t limit);

    // Runs every due transition of every active batch.
    void settle_all();
    // The earliest emulated instant at which an active batch changes status; nullopt when none.
    std::optional<std::int64_t> next_due_ms() const;

    void set_fail_predicate(std::function<bool(std::string_view)> predicate);
    // Told of each batch that reaches a terminal status, with the emulated instant it did,
    // under the state's lock (it must not call back into the state). Set before serving.
    void set_end_listener(std::function<void(const batchwire::batch&, std::int64_t ended_ms)> listener);

private:
    void settle(batch_record& rec, std::int64_t now_ms);
    void run_requests_until(batch_record& rec, std::int64_t t_ms);
    void finish(batch_record& rec, batchwire::batch_status status, std::int64_t at_ms, const char* never_run_code);
    void write_result_files(batch_record& rec, std::int64_t at_ms, const char* never_run_code);
    std::shared_ptr<const stored_file> store_file_locked(std::string filename, std::string purpose,
                                                         std::shared_ptr<const std::string> storage,
                                                         std::string_view content, std::int64_t created_at,
                                                         std::optional<std::int64_t> expires_at);
    std::int64_t request_done_ms(const batch_record& rec, std::size_t index) const;
    std::int64_t run_duration_ms(std::size_t requests) const;
    void drop_finished_from_active();

    const emulator_options& opts_;
    const emulated_clock& clock_;

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const stored_file>, std::less<>> files_;
    std::map<std::string, std::unique_ptr<batch_record>, std::less<>> batches_;
    std::vector<batch_record*> by_creation_; // index = batch_record::sequence
    std::vector<batch_record*> active_;      // not terminal yet
    std::function<bool(std::string_view)> fail_predicate_;
    std::function<void(const batchwire::batch&, std::int64_t)> end_listener_;
};

} // namespace batchwire::emulator

#endif
