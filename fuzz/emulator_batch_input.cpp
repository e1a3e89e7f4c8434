// The emulator's JSONL batch input check, directly.
// Properties: no exception; errors capped at max_errors (plus a final too_many_tasks);
// requests only when there is no error, with distinct custom_ids; lines within the file.

#include "fuzz_check.hpp"

#include <batchwire/emulator/batch_input_check.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace emu = batchwire::emulator;
using batchwire::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
    emu::input_check_params params;
    params.max_lines = 1 + data[0] % 64;
    params.allow_empty = (data[0] & 0x80u) != 0;
    if (data[0] & 0x40u)
        params.endpoint = "/v1/chat/completions";
    const auto result = emu::check_batch_input(content, params);
    check(result.errors.size() <= params.max_errors + 1, "errors are capped");
    check(result.requests.size() <= params.max_lines, "no more requests than lines allowed");
    std::set<std::string> ids;
    for (const auto& r : result.requests)
        check(ids.insert(r.custom_id).second, "custom_ids are distinct");
    for (const auto& e : result.errors)
        check(!e.code.empty() && !e.message.empty(), "every error has a code and a message");
    return 0;
}
