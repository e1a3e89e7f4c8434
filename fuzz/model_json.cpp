// Batch, page and file JSON into the model. Properties: text is either accepted or refused
// with a batchwire::exception (no other exception escapes); what is accepted serialises and
// parses again to the same value; a refusal of valid JSON names a field path.

#include "fuzz_check.hpp"

#include <batchwire/batch.hpp>
#include <batchwire/file.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using batchwire::fuzz::check;

template <class T>
void round_trip(std::string_view text)
{
    batchwire::json_parse_options opts;
    opts.max_size = 1u << 20;
    T first;
    try {
        first = batchwire::parse_as<T>(text, opts);
    } catch (const batchwire::exception& e) {
        check(!e.get_diagnostics().message.empty(), "a refusal says why");
        check(e.code() != batchwire::error::invalid_response || e.get_diagnostics().message.find(':') != std::string::npos,
              "an invalid_response names the field");
        return;
    }
    const std::string again = boost::json::serialize(boost::json::value_from(first));
    T second;
    try {
        second = batchwire::parse_as<T>(again, opts);
    } catch (const batchwire::exception&) {
        check(false, "what was accepted parses again once written");
    }
    check(first == second, "what was accepted is the same after a round trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    round_trip<batchwire::batch>(text);
    round_trip<batchwire::batch_page>(text);
    round_trip<batchwire::file_object>(text);
    return 0;
}
