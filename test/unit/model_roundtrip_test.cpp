// Round-trip properties over generated objects: value_to(value_from(x)) == x, and the same
// through JSON text (serialize, then parse_as). The generator is seeded, so a failure
// reproduces; it covers every optional set and unset, any Unicode (quotes, backslashes,
// control characters, NUL, non-BMP), int64 extremes and statuses the enum does not know.
//
// A batch is generated the way value_to produces one: status_text is the wire string, so
// it equals to_string(status) for a documented status (value_from writes the enum then).

#include <batchwire/batch.hpp>
#include <batchwire/batch_create_params.hpp>
#include <batchwire/batch_line.hpp>
#include <batchwire/file.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <limits>
#include <random>
#include <string>

using batchwire::batch;
using batchwire::batch_status;

namespace {

class generator {
public:
    explicit generator(std::uint32_t seed) : rng_(seed) {}

    bool coin() { return pick(0, 1) == 1; }

    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    std::int64_t int64()
    {
        constexpr std::array<std::int64_t, 5> edges{std::numeric_limits<std::int64_t>::min(),
                                                    std::numeric_limits<std::int64_t>::max(), 0, -1, 1711471533};
        if (pick(0, 3) == 0)
            return edges[static_cast<std::size_t>(pick(0, static_cast<int>(edges.size()) - 1))];
        return std::uniform_int_distribution<std::int64_t>(std::numeric_limits<std::int64_t>::min(),
                                                          std::numeric_limits<std::int64_t>::max())(rng_);
    }

    // Valid UTF-8 of up to `max_chars` code points, biased towards the characters JSON escapes.
    std::string text(int max_chars = 12)
    {
        std::string s;
        for (int n = pick(0, max_chars); n > 0; --n) {
            switch (pick(0, 4)) {
            case 0:
                s += static_cast<char>(pick(0x20, 0x7e));
                break;
            case 1: {
                static constexpr char specials[] = {'"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\0', '\x01', '\x1f', '\x7f'};
                s += specials[pick(0, static_cast<int>(sizeof specials) - 1)];
                break;
            }
            case 2:
                append_utf8(s, static_cast<char32_t>(pick(0x80, 0x7ff)));
                break;
            case 3: {
                auto cp = static_cast<char32_t>(pick(0x800, 0xfffd));
                if (cp >= 0xd800 && cp <= 0xdfff) // surrogates are not characters
                    cp = 0xfffd;
                append_utf8(s, cp);
                break;
            }
            default:
                append_utf8(s, static_cast<char32_t>(pick(0x10000, 0x10ffff)));
                break;
            }
        }
        return s;
    }

    std::optional<std::string> maybe_text() { return coin() ? std::optional(text()) : std::nullopt; }
    std::optional<std::int64_t> maybe_int64() { return coin() ? std::optional(int64()) : std::nullopt; }

    batchwire::metadata_map metadata()
    {
        batchwire::metadata_map m;
        for (int n = pick(0, 4); n > 0; --n)
            m.emplace(text(), text(20));
        return m;
    }

    batch make_batch()
    {
        batch b;
        b.id = text();
        b.endpoint = text();
        b.input_file_id = text();
        b.completion_window = text(3);
        b.status = static_cast<batch_status>(pick(0, static_cast<int>(batch_status::unknown)));
        if (b.status == batch_status::unknown) {
            static const std::array<std::string, 4> names{"paused", "unknown", "", "Completed"};
            b.status_text = coin() ? names[static_cast<std::size_t>(pick(0, 3))] : "x-" + text();
        } else {
            b.status_text = std::string(batchwire::to_string(b.status));
        }
        b.created_at = int64();
        b.model = maybe_text();
        if (coin()) {
            b.errors.emplace();
            for (int n = pick(0, 3); n > 0; --n)
                b.errors->push_back({text(), text(30), maybe_text(), maybe_int64()});
        }
        b.output_file_id = maybe_text();
        b.error_file_id = maybe_text();
        for (auto* t : {&b.in_progress_at, &b.expires_at, &b.finalizing_at, &b.completed_at, &b.failed_at,
                        &b.expired_at, &b.cancelling_at, &b.cancelled_at})
            *t = maybe_int64();
        if (coin())
            b.request_counts = batchwire::batch_request_counts{int64(), int64(), int64()};
        if (coin())
            b.usage = batchwire::batch_usage{int64(), int64(), int64(), int64(), int64()};
        if (coin())
            b.metadata = metadata();
        return b;
    }

    batchwire::file_object make_file()
    {
        return {text(), int64(), int64(), text(), text(), text(), maybe_int64(), maybe_text()};
    }

private:
    static void append_utf8(std::string& s, char32_t cp)
    {
        const auto byte = [&s](char32_t b) { s += static_cast<char>(static_cast<unsigned char>(b)); };
        if (cp < 0x80) {
            byte(cp);
        } else if (cp < 0x800) {
            byte(0xc0 | (cp >> 6));
            byte(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            byte(0xe0 | (cp >> 12));
            byte(0x80 | ((cp >> 6) & 0x3f));
            byte(0x80 | (cp & 0x3f));
        } else {
            byte(0xf0 | (cp >> 18));
            byte(0x80 | ((cp >> 12) & 0x3f));
            byte(0x80 | ((cp >> 6) & 0x3f));
            byte(0x80 | (cp & 0x3f));
        }
    }

    std::mt19937 rng_;
};

// Both round trips; true when x survives them.
template <class T>
bool round_trips(const T& x)
{
    const boost::json::value v = boost::json::value_from(x);
    if (!(boost::json::value_to<T>(v) == x))
        return false;
    return batchwire::parse_as<T>(boost::json::serialize(v)) == x;
}

} // namespace

BOOST_AUTO_TEST_SUITE(model_roundtrip)

BOOST_AUTO_TEST_CASE(generated_batches)
{
    generator gen(0xba7c4);
    int failures = 0;
    int unknown_statuses = 0;
    int escaped = 0;
    int all_set = 0;
    int none_set = 0;
    for (int i = 0; i < 3000; ++i) {
        const batch b = gen.make_batch();
        if (!round_trips(b) && ++failures <= 3)
            BOOST_ERROR("batch " << i << " does not round-trip: " << boost::json::value_from(b));
        unknown_statuses += b.status == batch_status::unknown;
        escaped += b.id.find_first_of(std::string("\"\\\n\0", 4)) != std::string::npos;
        const bool any = b.model || b.errors || b.output_file_id || b.expires_at || b.request_counts || b.usage ||
                         b.metadata;
        const bool all = b.model && b.errors && b.output_file_id && b.expires_at && b.request_counts && b.usage &&
                         b.metadata;
        all_set += all;
        none_set += !any;
    }
    BOOST_TEST(failures == 0);
    // The generator covers what it claims to.
    BOOST_TEST(unknown_statuses > 100);
    BOOST_TEST(escaped > 500);
    BOOST_TEST(all_set > 0);
    BOOST_TEST(none_set > 0);
}

BOOST_AUTO_TEST_CASE(generated_pages_and_files)
{
    generator gen(7);
    for (int i = 0; i < 300; ++i) {
        batchwire::batch_page p;
        for (int n = gen.pick(0, 4); n > 0; --n)
            p.data.push_back(gen.make_batch());
        p.first_id = gen.maybe_text();
        p.last_id = gen.maybe_text();
        p.has_more = gen.coin();
        BOOST_TEST(round_trips(p));

        batchwire::page<batchwire::file_object> files;
        files.data = {gen.make_file(), gen.make_file()};
        files.has_more = gen.coin();
        BOOST_TEST(round_trips(files));
        BOOST_TEST(round_trips(gen.make_file()));
    }
}

BOOST_AUTO_TEST_CASE(generated_create_params_and_lines)
{
    generator gen(42);
    for (int i = 0; i < 500; ++i) {
        batchwire::batch_create_params p{gen.text(), gen.text(), gen.text(3), std::nullopt, std::nullopt};
        if (gen.coin())
            p.metadata = gen.metadata();
        if (gen.coin())
            p.output_expires_after = batchwire::file_expiration{gen.text(), gen.int64()};
        BOOST_TEST(round_trips(p));

        batchwire::batch_input_line in{gen.text(), gen.text(4), gen.text(), boost::json::value(gen.text())};
        BOOST_TEST(round_trips(in));

        batchwire::batch_output_line out{gen.text(), gen.text(), std::nullopt, std::nullopt};
        if (gen.coin())
            out.response = batchwire::batch_line_response{gen.pick(100, 599), gen.text(),
                                                          boost::json::object{{gen.text(), gen.int64()}}};
        if (gen.coin())
            out.error = batchwire::batch_line_error{gen.text(), gen.text()};
        BOOST_TEST(round_trips(out));
    }
}

BOOST_AUTO_TEST_SUITE_END()
