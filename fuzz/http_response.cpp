// Raw response bytes as the client reads them: Beast's response parser over a test stream
// (which hands the bytes over in pieces of a size the input chooses), the header within
// the client's header limit, the body in fixed chunks into a kept body (bounded) or a
// download sink, then the library's own handling of what arrived: response metadata from
// the headers, the API error body of a 4xx/5xx, the JSON of a 2xx into a batch.
// Properties: no exception escapes; the kept body never exceeds its limit; a download
// receives exactly the body's bytes in order (with a Content-Length: that many).

#include "fuzz_check.hpp"

#include "response_metadata.hpp"

#include <batchwire/batch.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/request_options.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace http = boost::beast::http;
using batchwire::fuzz::check;

namespace {

constexpr std::size_t max_header_bytes = 8 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr std::size_t max_error_body_bytes = 4 * 1024;

struct received {
    unsigned status = 0;
    http::fields headers;
    std::string body;        // kept (JSON and error bodies)
    std::string downloaded;  // what a sink received
    boost::optional<std::uint64_t> content_length;
    bool chunked = false;
    bool complete = false;
};

received read_response(boost::beast::test::stream& s, bool download)
{
    received r;
    boost::beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.body_limit(boost::none);
    boost::system::error_code ec;
    http::read_header(s, buffer, parser, ec);
    if (ec)
        return r;
    r.status = parser.get().result_int();
    r.content_length = parser.content_length();
    r.chunked = parser.chunked();
    const bool success = r.status / 100 == 2;
    const std::size_t keep = success ? max_body_bytes : max_error_body_bytes;
    std::array<char, 512> chunk;
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        http::read(s, buffer, parser, ec);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            return r;
        const std::size_t got = chunk.size() - parser.get().body().size;
        if (download && success)
            r.downloaded.append(chunk.data(), got);
        else if (r.body.size() + got <= keep)
            r.body.append(chunk.data(), got);
        else if (success)
            return r; // response_too_large
        check(r.body.size() <= keep, "the kept body stays within its limit");
    }
    r.headers = std::move(parser.get().base());
    r.complete = true;
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    const std::size_t read_size = 1 + data[0];
    const bool download = (data[1] & 1u) != 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);

    boost::asio::io_context ctx;
    boost::beast::test::stream client(ctx);
    client.read_size(read_size);
    client.append(bytes);
    client.close_remote();
    const received r = read_response(client, download);
    if (!r.complete)
        return 0;

    if (download && r.status / 100 == 2) {
        check(r.chunked || bytes.find(r.downloaded) != std::string_view::npos,
              "an identity download is the body's bytes in order");
        // A 204 has no body whatever its Content-Length says (RFC 9110, 6.4.1).
        check(r.chunked || !r.content_length || r.status == 204 || r.downloaded.size() == *r.content_length,
              "a complete download with a Content-Length has exactly that many bytes");
    }
    batchwire::response_metadata meta;
    batchwire::detail::read_response_metadata(r.headers, meta);
    if (r.status >= 400) {
        batchwire::diagnostics d;
        batchwire::detail::read_api_error(r.status, r.headers, r.body, d);
        (void)batchwire::detail::error_for_response(r.status, d);
    } else if (r.status / 100 == 2 && !download) {
        boost::system::error_code ec;
        batchwire::diagnostics d;
        batchwire::json_parse_options po;
        po.max_size = max_body_bytes;
        const auto v = batchwire::parse_json(r.body, ec, d, po);
        if (!ec)
            (void)batchwire::convert_json<batchwire::batch>(v, ec, d);
        check(!ec || !d.message.empty(), "a refused body says why");
    }
    return 0;
}
