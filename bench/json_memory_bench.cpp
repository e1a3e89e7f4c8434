// Peak memory of parsing a response body into a page, against the body's size: a realistic
// page of 100 batches, and pages of tiny values ("[0,0,0,...]", 8 MB and 32 MiB) that must be
// refused without taking many times their size. Each case runs with the client's limits
// (max_body_bytes 32 MiB, depth 64) and prints one JSON line: the body size, the outcome,
// the peak resident memory the parse added on top of the body, and the ratio
// (body + added peak) / body. For comparison, the same bodies parsed by Boost.JSON without
// a memory budget.
//
//   json_memory_bench

#include <batchwire/batch.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <malloc.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

using namespace batchwire;

namespace {

long status_kib(const std::string& field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::stol(line.substr(field.size() + 1));
    return -1;
}

// Resets the kernel's peak-RSS mark (VmHWM) to the current RSS.
void reset_peak()
{
    std::ofstream("/proc/self/clear_refs") << "5";
}

// At most `bytes` long (one short when the pattern does not fit exactly): a body at the
// client's size cap must reach the parser, not be refused by the cap.
std::string zeros(std::size_t bytes, std::string_view before, std::string_view after)
{
    std::string s(before);
    s.reserve(bytes);
    s += '[';
    while (s.size() + 2 + 2 + after.size() <= bytes)
        s += "0,";
    s += "0]";
    s += after;
    return s;
}

std::string realistic_page(int n)
{
    batch_page p;
    for (int i = 0; i < n; ++i) {
        batch b;
        b.id = "batch_" + std::string(24, static_cast<char>('a' + i % 26));
        b.endpoint = "/v1/chat/completions";
        b.model = "gpt-4o-mini-2024-07-18";
        b.input_file_id = "file-" + std::string(24, '1');
        b.completion_window = "24h";
        b.status = batch_status::completed;
        b.status_text = "completed";
        b.output_file_id = "file-" + std::string(24, '2');
        b.error_file_id = "file-" + std::string(24, '3');
        b.created_at = 1711471533 + i;
        b.in_progress_at = b.created_at + 5;
        b.expires_at = b.created_at + 86400;
        b.finalizing_at = b.created_at + 3600;
        b.completed_at = b.created_at + 3700;
        b.request_counts = batch_request_counts{1000, 990, 10};
        b.usage = batch_usage{150000, 1024, 50000, 0, 200000};
        b.metadata = metadata_map{{"customer_id", "user_123456789"}, {"batch_description", "Nightly eval job"}};
        p.data.push_back(std::move(b));
    }
    p.first_id = p.data.front().id;
    p.last_id = p.data.back().id;
    p.has_more = true;
    return boost::json::serialize(boost::json::value_from(p));
}

void measure(const std::string& name, const std::string& body, const std::function<std::string()>& run)
{
    malloc_trim(0);
    const long before = status_kib("VmRSS");
    reset_peak();
    const std::string outcome = run();
    const long peak = status_kib("VmHWM");
    malloc_trim(0);
    const double added = static_cast<double>(peak - before) * 1024.0;
    const double size = static_cast<double>(body.size());
    std::cout << "{\"case\": \"" << name << "\", \"body_bytes\": " << body.size() << ", \"outcome\": \"" << outcome
              << "\", \"peak_added_mb\": " << added / 1e6 << ", \"ratio\": " << (size + added) / size << "}"
              << std::endl;
}

std::string batchwire_page(const std::string& body)
{
    json_parse_options po;
    po.max_size = 32u << 20; // response_limits::max_body_bytes
    po.max_depth = 64;
    boost::system::error_code ec;
    diagnostics d;
    const auto v = parse_json(body, ec, d, po);
    if (!ec) {
        const auto p = convert_json<batch_page>(v, ec, d);
        if (!ec)
            return "ok: " + std::to_string(p.data.size()) + " batches";
    }
    return ec.message() + ": " + d.message.substr(0, 90);
}

std::string unbudgeted_parse(const std::string& body)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    return ec ? ec.message() : std::string("parsed");
}

} // namespace

int main()
{
    const std::string page = realistic_page(100);
    const std::string zeros_8 = zeros(8'000'000, R"({"object":"list","data":)", R"(,"has_more":false})");
    const std::string bare_8 = zeros(8'000'000, "", "");
    const std::string zeros_32 = zeros(32u << 20, R"({"object":"list","data":)", R"(,"has_more":false})");
    const struct {
        const char* name;
        const std::string& body;
    } cases[] = {{"page of 100 batches", page},
                 {"page of [0,0,...], 8 MB", zeros_8},
                 {"[0,0,...], 8 MB", bare_8},
                 {"page of [0,0,...], 32 MiB", zeros_32}};
    for (const auto& c : cases)
        measure(std::string("batchwire: ") + c.name, c.body, [&] { return batchwire_page(c.body); });
    for (const auto& c : cases)
        measure(std::string("Boost.JSON parse, no budget: ") + c.name, c.body, [&] { return unbudgeted_parse(c.body); });
}
