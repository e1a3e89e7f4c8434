#ifndef BATCHWIRE_EMULATOR_FAKE_RESPONSE_HPP
#define BATCHWIRE_EMULATOR_FAKE_RESPONSE_HPP

// The body of a successful request in a batch output file, shaped like the endpoint's real
// response (chat.completion, embedding list, response, text_completion, moderation, an
// image list with b64_json, a video object).

#include <batchwire/emulator/batch_input_check.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <string_view>

namespace batchwire::emulator {

// Tokens every emulated request reports (the batch's usage is their sum).
inline constexpr std::int64_t fake_input_tokens = 12;
inline constexpr std::int64_t fake_output_tokens = 8;

boost::json::value fake_response_body(std::string_view endpoint, const input_request& request, std::int64_t created_at);

} // namespace batchwire::emulator

#endif
