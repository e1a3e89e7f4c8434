// Lines of batch input, output and error files (JSONL). Properties as for the model: only
// batchwire::exception escapes, and an accepted line written back parses to the same line
// (numbers within the precision Boost.JSON 1.81 reads them with).

#include "fuzz_check.hpp"
#include "json_near_equal.hpp"

#include <batchwire/batch_line.hpp>
#include <batchwire/json_parse.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using batchwire::fuzz::check;

template <class T>
void round_trip(std::string_view line)
{
    T first;
    try {
        first = batchwire::parse_as<T>(line);
    } catch (const batchwire::exception& e) {
        check(!e.get_diagnostics().message.empty(), "a refusal says why");
        return;
    }
    const std::string written = boost::json::serialize(boost::json::value_from(first));
    check(written.find('\n') == std::string::npos, "a written line is one line");
    T second;
    try {
        second = batchwire::parse_as<T>(written);
    } catch (const batchwire::exception& e) {
        std::fprintf(stderr, "written: %s\nrefused: %s\n", written.c_str(), e.what());
        check(false, "a line that was accepted parses again once written");
    }
    check(batchwire::fuzz::json_near_equal(boost::json::value_from(first), boost::json::value_from(second)),
          "a line is the same after a round trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    round_trip<batchwire::batch_input_line>(line);
    round_trip<batchwire::batch_output_line>(line);
    return 0;
}
