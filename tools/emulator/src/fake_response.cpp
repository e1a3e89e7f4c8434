#include <batchwire/emulator/fake_response.hpp>

#include <batchwire/emulator/random_id.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace batchwire::emulator {

namespace {

std::string model_of(const input_request& r, std::string_view fallback)
{
    return r.model.empty() ? std::string(fallback) : r.model;
}

// A 1x1 transparent PNG.
constexpr std::string_view tiny_png_base64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

std::string reply_text(const input_request& r)
{
    return "Emulated reply to " + r.custom_id + ".";
}

constexpr std::int64_t total = fake_input_tokens + fake_output_tokens; // tokens of every reply

boost::json::value chat_completion(const input_request& request, std::int64_t created_at)
{
    namespace json = boost::json;
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

boost::json::value embedding(const input_request& request, std::int64_t)
{
    namespace json = boost::json;
    return json::object{
        {"object", "list"},
        {"data", json::array{json::object{{"object", "embedding"},
                                          {"index", 0},
                                          {"embedding", json::array{0.0125, -0.0342, 0.0871, 0.0049}}}}},
        {"model", model_of(request, "text-embedding-3-small")},
        {"usage", json::object{{"prompt_tokens", fake_input_tokens}, {"total_tokens", fake_input_tokens}}}};
}

boost::json::value response(const input_request& request, std::int64_t created_at)
{
    namespace json = boost::json;
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

boost::json::value completion(const input_request& request, std::int64_t created_at)
{
    namespace json = boost::json;
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

boost::json::value moderation(const input_request& request, std::int64_t)
{
    namespace json = boost::json;
    return json::object{
        {"id", random_id("modr-", 24)},
        {"model", model_of(request, "omni-moderation-latest")},
        {"results", json::array{json::object{{"flagged", false},
                                             {"categories", json::object{}},
                                             {"category_scores", json::object{}}}}}};
}

boost::json::value image(const input_request&, std::int64_t created_at)
{
    namespace json = boost::json;
    // GPT image models answer with the image itself, base64-encoded: no url.
    return json::object{
        {"created", created_at},
        {"data", json::array{json::object{{"b64_json", tiny_png_base64}}}},
        {"output_format", "png"},
        {"size", "1024x1024"},
        {"usage", json::object{{"input_tokens", fake_input_tokens},
                               {"input_tokens_details",
                                json::object{{"text_tokens", fake_input_tokens}, {"image_tokens", 0}}},
                               {"output_tokens", fake_output_tokens},
                               {"total_tokens", total}}}};
}

boost::json::value video(const input_request& request, std::int64_t created_at)
{
    namespace json = boost::json;
    // A video job object, finished; its content would be fetched separately.
    return json::object{{"id", random_id("video_", 32)},
                        {"object", "video"},
                        {"model", model_of(request, "sora-2")},
                        {"status", "completed"},
                        {"progress", 100},
                        {"created_at", created_at},
                        {"completed_at", created_at},
                        {"expires_at", created_at + 24 * 60 * 60},
                        {"size", "720x1280"},
                        {"seconds", "4"},
                        {"remixed_from_video_id", nullptr},
                        {"error", nullptr}};
}

} // namespace

boost::json::value fake_response_body(std::string_view endpoint, const input_request& request, std::int64_t created_at)
{
    if (endpoint == "/v1/chat/completions")
        return chat_completion(request, created_at);
    if (endpoint == "/v1/embeddings")
        return embedding(request, created_at);
    if (endpoint == "/v1/responses")
        return response(request, created_at);
    if (endpoint == "/v1/completions")
        return completion(request, created_at);
    if (endpoint == "/v1/moderations")
        return moderation(request, created_at);
    if (endpoint == "/v1/images/generations" || endpoint == "/v1/images/edits")
        return image(request, created_at);
    if (endpoint == "/v1/videos")
        return video(request, created_at);
    // No other endpoint gets this far: the emulator refuses to batch them.
    return boost::json::object{{"created", created_at}};
}

} // namespace batchwire::emulator
