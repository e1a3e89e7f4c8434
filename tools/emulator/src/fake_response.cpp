#include <batchwire/emulator/fake_response.hpp>

#include <batchwire/emulator/random_id.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>

namespace batchwire::emulator {

namespace {

std::string model_of(const input_request& r, std::string_view fallback)
{
    return r.model.empty() ? std::string(fallback) : r.model;
}

std::string reply_text(const input_request& r)
{
    return "Emulated reply to " + r.custom_id + ".";
}

} // namespace

boost::json::value fake_response_body(std::string_view endpoint, const input_request& request, std::int64_t created_at)
{
    namespace json = boost::json;
    constexpr std::int64_t total = fake_input_tokens + fake_output_tokens;

    if (endpoint == "/v1/chat/completions") {
        return json::object{
            {"id", random_id("chatcmpl-", 24)},
            {"object", "chat.completion"},
            {"created", created_at},
            {"model", model_of(request, "gpt-4o-mini")},
            {"choices",
             json::array{json::object{
                 {"index", 0},
                 {"message", json::object{{"role", "assistant"}, {"content", reply_text(request)}, {"refusal", nullptr}}},
                 {"logprobs", nullptr},
                 {"finish_reason", "stop"}}}},
            {"usage", json::object{{"prompt_tokens", fake_input_tokens},
                                   {"completion_tokens", fake_output_tokens},
                                   {"total_tokens", total}}},
            {"system_fingerprint", nullptr}};
    }
    if (endpoint == "/v1/embeddings") {
        return json::object{
            {"object", "list"},
            {"data", json::array{json::object{{"object", "embedding"},
                                              {"index", 0},
                                              {"embedding", json::array{0.0125, -0.0342, 0.0871, 0.0049}}}}},
            {"model", model_of(request, "text-embedding-3-small")},
            {"usage", json::object{{"prompt_tokens", fake_input_tokens}, {"total_tokens", fake_input_tokens}}}};
    }
    if (endpoint == "/v1/responses") {
        return json::object{
            {"id", random_id("resp_", 32)},
            {"object", "response"},
            {"created_at", created_at},
            {"status", "completed"},
            {"model", model_of(request, "gpt-4o-mini")},
            {"output",
             json::array{json::object{
                 {"type", "message"},
                 {"id", random_id("msg_", 32)},
                 {"status", "completed"},
                 {"role", "assistant"},
                 {"content", json::array{json::object{
                                 {"type", "output_text"}, {"text", reply_text(request)}, {"annotations", json::array{}}}}}}}},
            {"usage", json::object{{"input_tokens", fake_input_tokens},
                                   {"input_tokens_details", json::object{{"cached_tokens", 0}}},
                                   {"output_tokens", fake_output_tokens},
                                   {"output_tokens_details", json::object{{"reasoning_tokens", 0}}},
                                   {"total_tokens", total}}}};
    }
    if (endpoint == "/v1/completions") {
        return json::object{
            {"id", random_id("cmpl-", 24)},
            {"object", "text_completion"},
            {"created", created_at},
            {"model", model_of(request, "gpt-3.5-turbo-instruct")},
            {"choices", json::array{json::object{
                            {"text", reply_text(request)}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", "stop"}}}},
            {"usage", json::object{{"prompt_tokens", fake_input_tokens},
                                   {"completion_tokens", fake_output_tokens},
                                   {"total_tokens", total}}}};
    }
    if (endpoint == "/v1/moderations") {
        return json::object{
            {"id", random_id("modr-", 24)},
            {"model", model_of(request, "omni-moderation-latest")},
            {"results", json::array{json::object{{"flagged", false},
                                                 {"categories", json::object{}},
                                                 {"category_scores", json::object{}}}}}};
    }
    // Images and videos: a URL to the generated asset.
    return json::object{{"created", created_at},
                        {"data", json::array{json::object{{"url", "https://emulator.invalid/assets/" + request.custom_id}}}}};
}

} // namespace batchwire::emulator
