// A small application that embeds batchwire in an event loop of its own: a timer and a tiny
// HTTP server of its own on its io_context, a batchwire client on the same io_context, and
// one retrieve through it. Built several ways by test/consumer/run.cmake (installed package,
// add_subdirectory, FetchContent; Asio header-only, compiled by the application, or used
// through its deprecated names).
#include <batchwire/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

// batchwire must not change how this application compiles Asio.
#if defined(BOOST_ASIO_SEPARATE_COMPILATION) != defined(CONSUMER_COMPILES_ASIO)
#error "the Asio compilation mode of this application was changed by linking batchwire"
#endif
#if defined(BOOST_ASIO_NO_DEPRECATED) || defined(BOOST_BEAST_SEPARATE_COMPILATION)
#error "linking batchwire added an Asio/Beast configuration macro"
#endif

namespace asio = boost::asio;
using asio::ip::tcp;

#ifdef CONSUMER_USES_IO_SERVICE
#include <boost/asio/io_service.hpp>
using context_type = asio::io_service; // a deprecated name: still available to the application
#else
using context_type = asio::io_context;
#endif

namespace {

// Answers one request with a batch and closes the connection (the client must read the body
// to its end and see the close as the end of a complete exchange).
asio::awaitable<void> serve_one(tcp::acceptor& acceptor)
{
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    std::string request;
    co_await asio::async_read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n", asio::use_awaitable);
    const std::string body = R"({"id":"batch_consumer","object":"batch","endpoint":"/v1/chat/completions",)"
                             R"("input_file_id":"file-1","completion_window":"24h","status":"cancelling",)"
                             R"("created_at":1700000000})";
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_consumer\r\n"
                                 "Content-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
}

} // namespace

int main()
{
    context_type ctx;
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    asio::co_spawn(ctx, serve_one(acceptor), asio::detached);

    // The application's own timer keeps running beside the client.
    bool timer_fired = false;
    asio::steady_timer timer(ctx, std::chrono::milliseconds(1));
    timer.async_wait([&](boost::system::error_code ec) { timer_fired = !ec; });

    batchwire::client_options options;
    options.base_url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/v1";
    options.api_key = "sk-consumer";
    batchwire::client client(ctx, options);

    std::string status;
    std::string failure;
    asio::co_spawn(
        ctx, [&]() -> asio::awaitable<void> { status = batchwire::to_string((co_await client.retrieve("batch_consumer")).status); },
        [&](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                failure = x.what();
            }
        });

    // Nothing here can take long; the guard only turns a hang into a failure.
    asio::steady_timer guard(ctx, std::chrono::seconds(30));
    guard.async_wait([&](boost::system::error_code ec) {
        if (!ec)
            ctx.stop();
    });
    const auto done = [&] { return timer_fired && (!status.empty() || !failure.empty()); };
    while (!done() && ctx.run_one() != 0) {
    }
    std::cout << "timer " << (timer_fired ? "fired" : "did not fire") << ", retrieve: "
              << (failure.empty() ? status : failure) << '\n';
    return timer_fired && status == "cancelling" ? 0 : 1;
}
