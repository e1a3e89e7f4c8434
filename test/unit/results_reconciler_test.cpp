// The per-custom_id bookkeeping and the input reconciler: duplicates, unknown ids,
// missing ids, resubmit lines byte for byte, bad input lines.

#include "results_printing.hpp"

#include <batchwire/error.hpp>
#include <batchwire/reconcile.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace batchwire;

namespace {

// Reconciles `input` fed in chunks of `chunk` bytes; returns the resubmit bytes.
std::string reconcile(results_reconciler& r, std::string_view input, std::size_t chunk, bool with_failed,
                      boost::system::error_code& ec, std::string* why = nullptr)
{
    std::string out;
    input_reconciler ir(r, with_failed, 1024, [&](std::string_view b) {
        out.append(b);
        return true;
    });
    bool ok = true;
    for (std::size_t i = 0; ok && i < input.size(); i += chunk)
        ok = ir.feed(input.substr(i, chunk), ec);
    if (ok)
        ok = ir.finish(ec);
    if (why)
        *why = ir.why();
    BOOST_TEST(ok == !ec);
    return out;
}

results_reconciler four_results()
{
    results_reconciler r;
    r.add_result("a", outcome::succeeded);
    r.add_result("b", outcome::failed);
    r.add_result("c", outcome::not_run);
    r.add_result("x", outcome::succeeded); // not in the input below
    return r;
}

const std::string input = "{\"custom_id\":\"a\",\"body\":{}}\n"
                          "{\"custom_id\":\"b\",\"body\":{\"k\": [1, 2]}}\r\n"
                          "\n"
                          "{ \"body\":{\"z\":\"\\u00e9\"}, \"custom_id\":\"c\" }\n"
                          "{\"custom_id\":\"d\"}"; // missing, and no newline

} // namespace

BOOST_AUTO_TEST_SUITE(results_reconciler_suite)

BOOST_AUTO_TEST_CASE(counts_per_result_id_without_input)
{
    results_reconciler r;
    BOOST_TEST(r.counts() == results_counts{});
    BOOST_TEST(r.add_result("a", outcome::succeeded) == std::optional<outcome>(outcome::succeeded));
    BOOST_TEST(r.add_result("b", outcome::not_run) == std::optional<outcome>(outcome::not_run));
    BOOST_TEST(r.add_result("c", outcome::failed) == std::optional<outcome>(outcome::failed));
    BOOST_TEST(r.counts() == (results_counts{1, 1, 1, 0}));
    BOOST_TEST(!r.reconciled());
    BOOST_TEST(r.ids() == 3u);
}

BOOST_AUTO_TEST_CASE(duplicate_results_counted_first_stands)
{
    results_reconciler r(2);
    r.add_result("a", outcome::succeeded);
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(!r.add_result("a", outcome::failed).has_value());
    BOOST_TEST(!r.add_result("a", outcome::not_run).has_value());
    BOOST_TEST(r.counts() == (results_counts{1, 0, 0, 0}));
    BOOST_TEST(r.duplicate_results().count == 6u);
    BOOST_TEST(r.duplicate_results().listed == (std::vector<std::string>{"a", "a"})); // bounded by max_listed
    BOOST_TEST(r.add_input("a") == std::optional<outcome>(outcome::succeeded));
}

BOOST_AUTO_TEST_CASE(input_classified_missing_and_unknown)
{
    results_reconciler r = four_results();
    BOOST_TEST(r.add_input("a") == std::optional<outcome>(outcome::succeeded));
    BOOST_TEST(r.add_input("b") == std::optional<outcome>(outcome::failed));
    BOOST_TEST(r.add_input("c") == std::optional<outcome>(outcome::not_run));
    BOOST_TEST(r.add_input("d") == std::optional<outcome>(outcome::missing));
    BOOST_TEST(!r.add_input("d").has_value()); // the input had it twice
    BOOST_TEST(!r.add_input("a").has_value());
    r.finish_input();
    BOOST_TEST(r.reconciled());
    BOOST_TEST(r.counts() == (results_counts{1, 1, 1, 1}));
    BOOST_TEST(r.duplicate_inputs().count == 2u);
    BOOST_TEST(r.unknown_ids().count == 1u);
    BOOST_TEST(r.unknown_ids().listed == std::vector<std::string>{"x"});
    r.finish_input(); // idempotent
    BOOST_TEST(r.unknown_ids().count == 1u);
}

BOOST_AUTO_TEST_CASE(empty_input_reconciles_to_zero)
{
    results_reconciler r = four_results();
    boost::system::error_code ec;
    BOOST_TEST(reconcile(r, "", 7, false, ec).empty());
    BOOST_TEST(!ec);
    BOOST_TEST(r.reconciled());
    BOOST_TEST(r.counts() == results_counts{});
    BOOST_TEST(r.unknown_ids().count == 4u);
}

BOOST_AUTO_TEST_CASE(zero_listed_still_counts)
{
    results_reconciler r(0);
    r.add_result("a", outcome::succeeded);
    r.add_result("a", outcome::succeeded);
    BOOST_TEST(r.duplicate_results().count == 1u);
    BOOST_TEST(r.duplicate_results().listed.empty());
}

BOOST_AUTO_TEST_CASE(resubmit_lines_byte_for_byte_at_every_chunk_size)
{
    // not_run (c) and missing (d); d had no newline and gets one.
    const std::string expected = "{ \"body\":{\"z\":\"\\u00e9\"}, \"custom_id\":\"c\" }\n"
                                 "{\"custom_id\":\"d\"}\n";
    // with failed (b), its CRLF kept.
    const std::string expected_failed = "{\"custom_id\":\"b\",\"body\":{\"k\": [1, 2]}}\r\n" + expected;
    for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
        BOOST_TEST_CONTEXT("chunks of " << chunk)
        {
            boost::system::error_code ec;
            results_reconciler r = four_results();
            BOOST_TEST(reconcile(r, input, chunk, false, ec) == expected);
            BOOST_TEST(r.counts() == (results_counts{1, 1, 1, 1}));
            results_reconciler rf = four_results();
            BOOST_TEST(reconcile(rf, input, chunk, true, ec) == expected_failed);
        }
    }
}

BOOST_AUTO_TEST_CASE(should_resubmit_table)
{
    BOOST_TEST(!should_resubmit(outcome::succeeded, false));
    BOOST_TEST(!should_resubmit(outcome::succeeded, true));
    BOOST_TEST(!should_resubmit(outcome::failed, false));
    BOOST_TEST(should_resubmit(outcome::failed, true));
    BOOST_TEST(should_resubmit(outcome::not_run, false));
    BOOST_TEST(should_resubmit(outcome::missing, false));
}

BOOST_AUTO_TEST_CASE(bad_input_lines_are_typed_errors_naming_the_line)
{
    const struct {
        std::string text;
        std::string why;
    } table[] = {
        {"{\"custom_id\":\"a\"}\nnot json\n", "input line 2: not JSON"},
        {"[1,2]\n", "input line 1: no string custom_id"},
        {"{\"custom_id\":7}\n", "input line 1: no string custom_id"},
        {"{\"id\":\"a\"}\n", "input line 1: no string custom_id"},
        {"{\"custom_id\":\"a\"", "input line 1: not JSON"},
        {std::string(2000, 'x') + "\n", "input line 1 is too long"},
    };
    for (const auto& row : table) {
        BOOST_TEST_CONTEXT(row.why)
        {
            results_reconciler r = four_results();
            boost::system::error_code ec;
            std::string why;
            reconcile(r, row.text, 3, false, ec, &why);
            BOOST_TEST(ec == error::invalid_argument);
            BOOST_TEST(why.rfind(row.why, 0) == 0, why);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_failed_write_stops_with_file_error)
{
    results_reconciler r = four_results();
    input_reconciler ir(r, false, 1024, [](std::string_view) { return false; });
    boost::system::error_code ec;
    BOOST_TEST(!ir.feed(input, ec));
    BOOST_TEST(ec == error::file_error);
    BOOST_TEST(ir.resubmitted() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
