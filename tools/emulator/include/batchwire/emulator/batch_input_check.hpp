#ifndef BATCHWIRE_EMULATOR_BATCH_INPUT_CHECK_HPP
#define BATCHWIRE_EMULATOR_BATCH_INPUT_CHECK_HPP

// Validation of a batch input file (JSONL: one {"custom_id", "method": "POST", "url",
// "body"} object a line, custom_id unique), done twice, as the API does: at upload
// (purpose=batch; the first problem is a 400) and when a batch validates it (problems make
// the batch `failed` with errors.data[{code, message, param, line}]).

#include <batchwire/batch.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire::emulator {

// What the emulator needs of a request to execute it.
struct input_request {
    std::string custom_id;
    std::string model; // body.model when present
};

struct input_check_result {
    std::vector<input_request> requests; // complete only when errors is empty
    std::vector<batchwire::batch_error> errors;
};

struct input_check_params {
    std::optional<std::string_view> endpoint; // every url must equal it; nullopt: any batch endpoint
    std::size_t max_lines = 50000;
    std::size_t max_errors = 10; // stop collecting after this many
    bool allow_empty = false;    // an empty file is accepted at upload, fails at validation
};

// Codes: empty_file, invalid_json_line, missing_required_parameter, duplicate_custom_id,
// invalid_method, invalid_url, too_many_tasks. Lines are 1-based.
input_check_result check_batch_input(std::string_view content, const input_check_params& params);

} // namespace batchwire::emulator

#endif
