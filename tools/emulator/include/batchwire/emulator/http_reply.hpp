#ifndef BATCHWIRE_EMULATOR_HTTP_REPLY_HPP
#define BATCHWIRE_EMULATOR_HTTP_REPLY_HPP

// What a route handler answers, before the session adds the headers every response
// carries and writes it (possibly damaged by a fault). The body is either owned or a view
// into shared storage (file downloads are not copied).

#include <batchwire/emulator/api_error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace batchwire::emulator {

struct http_reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::shared_ptr<const std::string> shared_storage; // when set, the body is shared_view
    std::string_view shared_view;
    std::vector<std::pair<std::string, std::string>> headers; // extra headers

    std::string_view body_view() const noexcept { return shared_storage ? shared_view : std::string_view(body); }

    static http_reply json(std::string body, unsigned status = 200);
    static http_reply error(const api_error& e);
};

// The headers every response carries, besides the reply's own.
struct response_meta {
    std::string_view request_id;   // x-request-id
    std::int64_t processing_ms = 0; // openai-processing-ms
    bool keep_alive = true;
    std::int64_t date = 0;          // the `date` header, emulated unix seconds (0: none)
};

// "HTTP/1.1 <status> <reason>\r\n" + headers + "\r\n", with Content-Length content_length.
std::string render_head(const http_reply& reply, std::size_t content_length, const response_meta& meta);

} // namespace batchwire::emulator

#endif
