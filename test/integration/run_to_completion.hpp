#ifndef BATCHWIRE_TEST_RUN_TO_COMPLETION_HPP
#define BATCHWIRE_TEST_RUN_TO_COMPLETION_HPP

// Runs a coroutine on `ctx` until the context has no work left; returns its result or
// rethrows its exception.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace batchwire::test {

template <class T>
T run_to_completion(boost::asio::io_context& ctx, boost::asio::awaitable<T> aw)
{
    auto fut = boost::asio::co_spawn(ctx, std::move(aw), boost::asio::use_future);
    ctx.restart();
    ctx.run();
    return fut.get();
}

} // namespace batchwire::test

#endif
