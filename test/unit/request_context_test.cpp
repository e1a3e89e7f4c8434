// The request loop's narrow view of a client: made once from the client's state, and kept
// alive with that state by the aliasing pointer.

#include "../../src/client_state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

namespace {

using namespace batchwire;
using namespace batchwire::detail;

client_options options()
{
    client_options o;
    o.base_url = "http://127.0.0.1:9/v1";
    o.api_key = "sk-context";
    o.attempt_timeout = std::chrono::milliseconds(1234);
    o.total_timeout = std::chrono::milliseconds(5678);
    o.retry.max_retries = 7;
    o.pool.enabled = false;
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(request_context_view)

BOOST_AUTO_TEST_CASE(made_once_from_the_client_state)
{
    boost::asio::io_context io;
    const auto st = std::make_shared<client_state>(io.get_executor(), options());
    const request_context& a = st->requests();
    BOOST_TEST(&a == &st->requests());
    BOOST_TEST(&a.pool == st->pool.get());
    BOOST_TEST(&a.org == &st->org);
    BOOST_TEST(a.org.host == "127.0.0.1");
    BOOST_TEST(a.attempt_timeout.count() == 1234);
    BOOST_TEST(a.total_timeout.count() == 5678);
    BOOST_TEST(a.retry.max_retries == 7u);
    BOOST_TEST(!a.keep_alive);
    const std::string fields(a.head.client_fields());
    BOOST_TEST(fields.find("Host: 127.0.0.1:9\r\n") != std::string::npos);
    BOOST_TEST(fields.find("Authorization: Bearer sk-context\r\n") != std::string::npos);
    BOOST_TEST(fields.find("Connection: close\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_aliasing_pointer_keeps_the_state_alive)
{
    boost::asio::io_context io;
    auto st = std::make_shared<client_state>(io.get_executor(), options());
    const std::weak_ptr<client_state> watch = st;
    auto ctx = request_context_of(st);
    BOOST_TEST(ctx.get() == &st->requests());
    st.reset();
    BOOST_TEST(!watch.expired());
    BOOST_TEST(ctx->org.path_prefix == "/v1");
    ctx.reset();
    BOOST_TEST(watch.expired());
}

BOOST_AUTO_TEST_SUITE_END()
