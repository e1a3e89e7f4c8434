#ifndef BATCHWIRE_SRC_CLIENT_STATE_HPP
#define BATCHWIRE_SRC_CLIENT_STATE_HPP

// What a client and its running operations share. Operations hold it by shared_ptr, so a
// client may be destroyed while its operations finish.

#include "connection_pool.hpp"
#include "operation_executor.hpp"
#include "origin.hpp"
#include "request_context.hpp"
#include "request_head.hpp"

#include <batchwire/client_options.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace batchwire::detail {

class watch_registry;

struct client_state {
    client_state(boost::asio::any_io_executor executor, client_options options);
    ~client_state();

    boost::asio::any_io_executor ex;
    operation_executors op_executors{ex}; // where each operation runs
    client_options opts;
    origin org;
    std::optional<boost::asio::ssl::context> tls;
    std::shared_ptr<connection_pool> pool;
    std::string authorization; // "Bearer <key>": only ever written into request headers
    std::atomic<std::shared_ptr<watch_registry>> watches; // the watch layer's: made on first use (watch_registry_of)

    // build() makes the event only when `level` is enabled (see logger::log).
    template <class Build>
    void log(log_level level, Build&& build) const
    {
        opts.logger.log(level, std::forward<Build>(build));
    }

    // The request loop's view of this state, made at the end of the constructor.
    const request_context& requests() const noexcept { return *requests_; }

private:
    std::optional<request_head> head_;
    std::optional<request_context> requests_;
};

// The request context of `st`, keeping st alive as long as the pointer is held.
inline std::shared_ptr<const request_context> request_context_of(const std::shared_ptr<client_state>& st)
{
    return std::shared_ptr<const request_context>(st, &st->requests());
}

} // namespace batchwire::detail

#endif
