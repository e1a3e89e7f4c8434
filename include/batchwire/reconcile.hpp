#ifndef BATCHWIRE_RECONCILE_HPP
#define BATCHWIRE_RECONCILE_HPP

// The bookkeeping of results, keyed by custom_id, without I/O (recover.hpp downloads and
// feeds it). First every line of the output and error files (add_result), then, to
// reconcile with the local input file, every input line (input_reconciler, or add_input
// and finish_input).
//
// Memory grows with the number of distinct custom_ids, never with line or body sizes: one
// hash-table entry per id (the id's bytes, a byte of state, the node and bucket), about
// 78 bytes for ids of up to 15 characters, 126 for 32 (measured by bench/results_bench).

#include <batchwire/results.hpp>
#include <batchwire/results_line_splitter.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace batchwire {

struct results_counts {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    std::uint64_t not_run = 0;
    std::uint64_t missing = 0; // 0 unless reconciled with the input
    std::uint64_t total() const noexcept { return succeeded + failed + not_run + missing; }
    friend bool operator==(const results_counts&, const results_counts&) = default;
};

// Ids that are reported rather than fatal: how many, and the first few of them.
struct reported_ids {
    std::uint64_t count = 0;
    std::vector<std::string> listed; // at most the reconciler's max_listed, in order seen
    friend bool operator==(const reported_ids&, const reported_ids&) = default;
};

class results_reconciler {
public:
    explicit results_reconciler(std::size_t max_listed = 20) : max_listed_(max_listed) {}

    // One line of the output or error file. Returns its outcome, or nullopt when its
    // custom_id was seen before: the first line stands, the duplicate is counted.
    std::optional<outcome> add_result(const batch_output_line& line);
    std::optional<outcome> add_result(std::string_view custom_id, outcome o);

    // One custom_id of the input, after every result was added. Returns its outcome
    // (`missing` when in neither file), or nullopt when the input had it before.
    std::optional<outcome> add_input(std::string_view custom_id);
    // After the last input line: ids of the results that the input does not have are
    // counted as unknown, and counts() becomes the input's.
    void finish_input();

    // Without input: one per custom_id of the files. After finish_input: one per input id.
    results_counts counts() const noexcept { return reconciled_ ? input_counts_ : result_counts_; }
    bool reconciled() const noexcept { return reconciled_; }
    const reported_ids& duplicate_results() const noexcept { return duplicate_results_; }
    const reported_ids& duplicate_inputs() const noexcept { return duplicate_inputs_; }
    const reported_ids& unknown_ids() const noexcept { return unknown_; } // in the files, not the input
    std::size_t ids() const noexcept { return state_.size(); }

private:
    struct id_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    void report(reported_ids& r, std::string_view id) const;

    std::size_t max_listed_;
    // Per id: bits 0-1 the outcome, bit 2 seen in the files, bit 3 seen in the input.
    std::unordered_map<std::string, std::uint8_t, id_hash, std::equal_to<>> state_;
    results_counts result_counts_;
    results_counts input_counts_;
    reported_ids duplicate_results_, duplicate_inputs_, unknown_;
    bool reconciled_ = false;
};

// Which requests go back into the resubmit file: not_run and missing always, failed on request.
bool should_resubmit(outcome o, bool include_failed) noexcept;

// Reconciles the input JSONL, fed in chunks of any size, against a reconciler that holds
// every result. Each input line is parsed for its custom_id only; the lines to resubmit
// are handed to `out` as they are, byte for byte with their terminator (a last line
// without one gets "\n", so that the resubmit file stays JSONL). Blank lines are skipped.
class input_reconciler {
public:
    // out(bytes) -> bool: false stops the reconciling (e.g. a failed write).
    using resubmit_sink = std::function<bool(std::string_view bytes)>;

    input_reconciler(results_reconciler& r, bool resubmit_failed, std::size_t max_line_bytes, resubmit_sink out);

    // On failure sets ec and returns false; why() says which line and what. Errors:
    // invalid_argument (a line that is not a JSON object with a string custom_id, a line
    // over max_line_bytes), file_error (out returned false).
    bool feed(std::string_view chunk, boost::system::error_code& ec);
    // At the end of the input: the last line, then results_reconciler::finish_input.
    bool finish(boost::system::error_code& ec);

    std::uint64_t resubmitted() const noexcept { return resubmitted_; }
    const std::string& why() const noexcept { return why_; }

private:
    bool line(std::string_view text, std::string_view terminator, boost::system::error_code& ec);
    bool check_split(bool ok, boost::system::error_code& ec);

    results_reconciler& results_;
    bool resubmit_failed_;
    resubmit_sink out_;
    jsonl_line_splitter splitter_;
    std::uint64_t resubmitted_ = 0;
    std::string why_;
};

} // namespace batchwire

#endif
