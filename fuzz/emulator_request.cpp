// The emulator's request path: the request line and headers through Beast's request parser
// (within the emulator's header and body limits), the route, the bearer check, then the
// body of an upload: multipart form + JSONL input file. Properties: no exception
// escapes; the expected key is never echoed.

#include "fuzz_check.hpp"

#include <batchwire/emulator/batch_input_check.hpp>
#include <batchwire/emulator/bearer_auth.hpp>
#include <batchwire/emulator/multipart_form.hpp>
#include <batchwire/emulator/route_table.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace http = boost::beast::http;
namespace emu = batchwire::emulator;
using batchwire::fuzz::check;

namespace {

void handle_body(const emu::route_match& route, const http::request<http::string_body>& req)
{
    if (route.id != emu::route_id::create_file)
        return;
    const auto boundary = emu::multipart_boundary(std::string_view(req[http::field::content_type]));
    if (!boundary)
        return;
    emu::multipart_form form;
    std::string why;
    if (!emu::parse_multipart(req.body(), *boundary, form, why)) {
        check(!why.empty(), "a refused form says why");
        return;
    }
    if (const emu::form_part* file = form.find("file")) {
        emu::input_check_params params;
        params.max_lines = 1000;
        const auto result = emu::check_batch_input(file->data, params);
        check(result.errors.size() <= params.max_errors + 1, "errors are capped");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    boost::asio::io_context ctx;
    boost::beast::test::stream s(ctx);
    s.read_size(1 + data[0]);
    s.append(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    s.close_remote();

    boost::beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(boost::none);
    boost::system::error_code ec;
    http::read_header(s, buffer, parser, ec);
    if (ec)
        return 0;
    const auto& head = parser.get();
    const emu::route_match route = emu::match_route(head.method_string(), head.target());
    check(!route.pattern.empty(), "every request has a route pattern");
    const std::uint64_t limit = route.id == emu::route_id::create_file ? 1u << 20 : 64u << 10;
    if (parser.content_length() && *parser.content_length() > limit)
        return 0;
    parser.body_limit(limit);
    if (!parser.is_done()) {
        http::read(s, buffer, parser, ec);
        if (ec)
            return 0;
    }
    const auto auth = head.find(http::field::authorization);
    const bool has_auth = auth != head.end();
    const std::string_view auth_value = has_auth ? std::string_view(auth->value()) : std::string_view{};
    if (const auto denied = emu::check_bearer(auth_value, has_auth, "sk-emulator-secret"))
        check(denied->message.find("sk-emulator-secret") == std::string::npos, "the key is never echoed");
    handle_body(route, parser.get());
    return 0;
}
