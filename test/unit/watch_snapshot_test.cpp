// The poll loop's packed last snapshot: every field comes back as it went in, whichever
// are present, with edge values.

#include "../../src/watch_snapshot.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace batchwire;
using batchwire::detail::watch_snapshot;

namespace {

batch round_trip(const batch& b)
{
    watch_snapshot s;
    s.store(b);
    return s.load();
}

batch full_batch()
{
    batch b;
    b.id = "batch_" + std::string(40, 'x');
    b.endpoint = "/v1/chat/completions";
    b.input_file_id = "file-abc";
    b.completion_window = "24h";
    b.status = batch_status::unknown;
    b.status_text = "paused_by_a_newer_server";
    b.created_at = 1'700'000'000;
    b.model = "gpt-4o-mini";
    b.errors = std::vector<batch_error>{{"invalid_json", "line 3 is not JSON", std::string("body"), 3},
                                        {"", "", std::nullopt, std::nullopt}};
    b.output_file_id = "file-out";
    b.error_file_id = ""; // an empty id has been seen on the wire: kept apart from absent
    b.in_progress_at = 0;
    b.expires_at = std::numeric_limits<std::int64_t>::max();
    b.finalizing_at = std::numeric_limits<std::int64_t>::min();
    b.completed_at = -1;
    b.failed_at = 1;
    b.expired_at = 127;
    b.cancelling_at = 128;
    b.cancelled_at = 1'700'000'600;
    b.request_counts = batch_request_counts{50'000, 49'999, -1};
    b.usage = batch_usage{1, 2, 3, 4, std::numeric_limits<std::int64_t>::max()};
    b.metadata = metadata_map{{"k", "v"}, {"", ""}, {"long", std::string(512, 'z')}};
    return b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(watch_snapshot_packing)

BOOST_AUTO_TEST_CASE(nothing_stored_loads_an_empty_batch)
{
    watch_snapshot s;
    BOOST_TEST(s.empty());
    BOOST_TEST((s.load() == batch{}));
}

BOOST_AUTO_TEST_CASE(every_field_comes_back)
{
    const batch b = full_batch();
    BOOST_TEST((round_trip(b) == b));
}

BOOST_AUTO_TEST_CASE(a_default_batch_comes_back_and_is_not_empty)
{
    watch_snapshot s;
    s.store(batch{});
    BOOST_TEST(!s.empty());
    BOOST_TEST((s.load() == batch{}));
}

BOOST_AUTO_TEST_CASE(each_optional_field_alone_comes_back)
{
    const batch full = full_batch();
    // One optional field present at a time, the others absent.
    const std::vector<std::function<void(batch&, const batch&)>> setters = {
        [](batch& b, const batch& f) { b.model = f.model; },
        [](batch& b, const batch& f) { b.errors = f.errors; },
        [](batch& b, const batch&) { b.errors = std::vector<batch_error>{}; },
        [](batch& b, const batch& f) { b.output_file_id = f.output_file_id; },
        [](batch& b, const batch& f) { b.error_file_id = f.error_file_id; },
        [](batch& b, const batch& f) { b.expires_at = f.expires_at; },
        [](batch& b, const batch& f) { b.cancelling_at = f.cancelling_at; },
        [](batch& b, const batch& f) { b.request_counts = f.request_counts; },
        [](batch& b, const batch& f) { b.usage = f.usage; },
        [](batch& b, const batch& f) { b.metadata = f.metadata; },
        [](batch& b, const batch&) { b.metadata = metadata_map{}; },
    };
    for (std::size_t i = 0; i < setters.size(); ++i) {
        BOOST_TEST_CONTEXT("setter " << i)
        {
            batch b;
            b.id = "batch_1";
            b.status = batch_status::in_progress;
            b.status_text = "in_progress";
            setters[i](b, full);
            BOOST_TEST((round_trip(b) == b));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_typical_batch_packs_small)
{
    batch b;
    b.id = "batch_" + std::string(32, 'a');
    b.endpoint = "/v1/embeddings";
    b.input_file_id = "file-" + std::string(32, 'b');
    b.completion_window = "24h";
    b.status = batch_status::validating;
    b.status_text = "validating";
    b.created_at = 1'764'000'000;
    b.expires_at = 1'764'086'400;
    b.request_counts = batch_request_counts{1, 0, 0};
    watch_snapshot s;
    s.store(b);
    BOOST_TEST(s.packed_size() < 150u);
    BOOST_TEST((s.load() == b));
}

BOOST_AUTO_TEST_SUITE_END()
