// The emulator's multipart/form-data parser, directly: the first line is the Content-Type,
// the rest the body. Properties: no exception; every part's data is a view inside the
// body; a boundary is 1..200 characters.

#include "fuzz_check.hpp"

#include <batchwire/emulator/multipart_form.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace emu = batchwire::emulator;
using batchwire::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t eol = input.find('\n');
    if (eol == std::string_view::npos)
        return 0;
    const std::string_view content_type = input.substr(0, eol);
    const std::string_view body = input.substr(eol + 1);
    const auto boundary = emu::multipart_boundary(content_type);
    if (!boundary)
        return 0;
    check(!boundary->empty() && boundary->size() <= 200, "a boundary has 1 to 200 characters");
    emu::multipart_form form;
    std::string why;
    if (!emu::parse_multipart(body, *boundary, form, why)) {
        check(!why.empty(), "a refused form says why");
        return 0;
    }
    for (const auto& part : form.parts)
        check(part.data.empty() ||
                  (part.data.data() >= body.data() && part.data.data() + part.data.size() <= body.data() + body.size()),
              "a part's data lies inside the body");
    return 0;
}
