// The listener's decision on a request head: verify, or 404/405/413 at once.

#include "../../src/webhook_request_route.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>

using batchwire::detail::route_webhook_request;

BOOST_AUTO_TEST_SUITE(webhook_request_route_tests)

BOOST_AUTO_TEST_CASE(route_table)
{
    struct row {
        const char* method;
        const char* target;
        std::optional<std::uint64_t> length;
        unsigned status;
    };
    constexpr std::uint64_t max = 1000;
    const row rows[] = {
        {"POST", "/webhook", 10, 0},
        {"POST", "/webhook?x=1", 10, 0},        // the query is ignored
        {"POST", "/webhook", std::nullopt, 0},   // chunked: the parser's limit applies
        {"POST", "/webhook", 0, 0},
        {"POST", "/webhook", max, 0},
        {"POST", "/webhook", max + 1, 413},
        {"POST", "/webhook", std::numeric_limits<std::uint64_t>::max(), 413},
        {"GET", "/webhook", std::nullopt, 405},
        {"PUT", "/webhook", 10, 405},
        {"post", "/webhook", 10, 405},           // methods are case-sensitive
        {"POST", "/webhook/", 10, 404},
        {"POST", "/Webhook", 10, 404},
        {"POST", "/", 10, 404},
        {"GET", "/other", std::nullopt, 404},    // the path is checked first
        {"POST", "*", 10, 404},
        {"POST", "http://host/webhook", 10, 404},
        {"POST", "", 10, 404},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.method << " " << r.target)
        {
            const auto d = route_webhook_request(r.method, r.target, "/webhook", r.length, max);
            BOOST_TEST(d.status == r.status);
            BOOST_TEST(d.message.empty() == (r.status == 0));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
