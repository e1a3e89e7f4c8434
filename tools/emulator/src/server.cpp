#include <batchwire/emulator/server.hpp>

#include <batchwire/emulator/server_core.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace batchwire::emulator {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace detail {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::ip::address listen_address(const std::string& host)
{
    if (host == "localhost")
        return asio::ip::address_v4::loopback();
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec)
        throw std::invalid_argument("emulator: host must be an IP address or localhost, got '" + host + "'");
    return addr;
}

std::optional<tls_identity> make_identity(const emulator_options& o)
{
    if (!o.tls)
        return std::nullopt;
    if (!o.cert_file.empty() || !o.key_file.empty()) {
        if (o.cert_file.empty() || o.key_file.empty())
            throw std::invalid_argument("emulator: cert_file and key_file go together");
        return tls_identity::load(o.cert_file, o.key_file, o.ca_file);
    }
    return tls_identity::generate(o.certificate_names);
}

std::optional<asio::ssl::context> make_ssl_context(const std::optional<tls_identity>& id)
{
    if (!id)
        return std::nullopt;
    std::optional<asio::ssl::context> ctx(std::in_place, asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    ctx->use_certificate_chain(asio::buffer(id->cert_pem()));
    ctx->use_private_key(asio::buffer(id->key_pem()), asio::ssl::context::pem);
    // Session resumption: the client's pool resumes sessions on new connections.
    static const unsigned char session_context[] = "batchwire-emulator";
    SSL_CTX_set_session_id_context(ctx->native_handle(), session_context, sizeof session_context - 1);
    SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_SERVER);
    return ctx;
}

std::shared_ptr<webhook_sender> make_webhook_sender(const asio::any_io_executor& ex, const emulator_options& o,
                                                   const emulated_clock& clock)
{
    if (o.webhook_url.empty())
        return nullptr;
    if (o.webhook_secret.empty())
        throw std::invalid_argument("emulator: webhook_url needs webhook_secret");
    return std::make_shared<webhook_sender>(
        ex, clock, webhook_sender_params{o.webhook_url, o.webhook_secret, o.webhook_retry, o.webhook_attempt_timeout});
}

} // namespace

server_core::server_core(asio::any_io_executor ex, emulator_options options)
    : opts(std::move(options))
    , clock(opts.time_scale, opts.manual_clock, opts.start_time)
    , state(opts, clock)
    , handler(state, opts)
    , faults(opts.fault_seed)
    , identity(make_identity(opts))
    , ssl_ctx(make_ssl_context(identity))
    , executor(ex)
    , webhooks(make_webhook_sender(ex, opts, clock))
    , close_after_requests(opts.close_after_requests)
    , idle_close_ms(opts.idle_close.count())
    , control_strand_(asio::make_strand(ex))
    , acceptor_(control_strand_)
    , lifecycle_timer_(control_strand_)
    , poll_after_ms_(opts.poll_after_hint ? opts.poll_after_hint->count() : -1)
{
    const tcp::endpoint ep(listen_address(opts.host), opts.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    if (ep.address().is_v6()) {
        boost::system::error_code ignored;
        acceptor_.set_option(asio::ip::v6_only(true), ignored);
    }
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    local_endpoint = acceptor_.local_endpoint();
    if (webhooks)
        state.set_end_listener(
            [sender = webhooks.get()](const batchwire::batch& b, std::int64_t ended_ms) { sender->batch_ended(b, ended_ms); });
}

void server_core::start()
{
    if (started_.exchange(true) || stopped)
        return;
    auto self = shared_from_this();
    asio::co_spawn(control_strand_, [self]() { return self->accept_loop(); }, asio::detached);
    if (!clock.manual())
        asio::co_spawn(control_strand_, [self]() { return self->drive_lifecycle(); }, asio::detached);
    if (webhooks)
        webhooks->start();
}

void server_core::stop()
{
    if (stopped.exchange(true))
        return;
    if (webhooks)
        webhooks->stop();
    auto self = shared_from_this();
    asio::post(control_strand_, [self] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
        self->lifecycle_timer_.cancel();
    });
    std::vector<std::shared_ptr<session_base>> live;
    {
        std::lock_guard lock(sessions_mutex_);
        for (auto& [id, weak] : sessions_)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (auto& s : live)
        s->close();
}

asio::awaitable<void> server_core::accept_loop()
{
    auto self = shared_from_this();
    asio::steady_timer backoff(control_strand_);
    while (!stopped) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(executor), use_tuple);
        if (stopped || ec == asio::error::operation_aborted || !acceptor_.is_open())
            break;
        if (ec) {
            // Out of descriptors and the like: breathe, then keep accepting.
            backoff.expires_after(std::chrono::milliseconds(20));
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        accepted.fetch_add(1, std::memory_order_relaxed);
        spawn_session(self, std::move(socket));
    }
}

asio::awaitable<void> server_core::drive_lifecycle()
{
    auto self = shared_from_this();
    while (!stopped) {
        state.settle_all();
        // Reads settle lazily and exactly; the timer only moves batches nobody reads.
        std::chrono::steady_clock::duration wait = std::chrono::seconds(1);
        if (const auto due = state.next_due_ms())
            if (const auto wall = clock.wall_until(*due))
                wait = std::clamp<std::chrono::steady_clock::duration>(*wall, std::chrono::milliseconds(1),
                                                                       std::chrono::seconds(1));
        lifecycle_timer_.expires_after(wait);
        co_await lifecycle_timer_.async_wait(use_tuple);
    }
}

bool server_core::register_session(std::uint64_t& id, const std::shared_ptr<session_base>& s)
{
    std::lock_guard lock(sessions_mutex_);
    if (stopped || sessions_.size() >= opts.max_connections)
        return false;
    id = next_session_id_++;
    sessions_.emplace(id, s);
    open.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void server_core::unregister_session(std::uint64_t id)
{
    std::lock_guard lock(sessions_mutex_);
    if (sessions_.erase(id) != 0)
        open.fetch_sub(1, std::memory_order_relaxed);
}

void server_core::route_counts::add(std::string_view pattern)
{
    std::lock_guard lock(mutex);
    ++total;
    const auto it = by_route.find(pattern);
    if (it != by_route.end())
        ++it->second;
    else
        by_route.emplace(std::string(pattern), 1);
}

std::size_t server_core::route_counts::get(std::string_view pattern) const
{
    const std::string wanted = normalize_route_pattern(pattern);
    std::lock_guard lock(mutex);
    if (wanted.empty() || wanted == "*")
        return total;
    if (wanted.find(' ') != std::string::npos) {
        const auto it = by_route.find(wanted);
        return it == by_route.end() ? 0 : it->second;
    }
    // A path alone: every method.
    std::size_t n = 0;
    for (const auto& [route, count] : by_route) {
        const auto space = route.find(' ');
        if (space != std::string::npos && std::string_view(route).substr(space + 1) == wanted)
            n += count;
    }
    return n;
}

std::optional<std::chrono::milliseconds> server_core::poll_after_hint() const
{
    const std::int64_t v = poll_after_ms_.load(std::memory_order_relaxed);
    if (v < 0)
        return std::nullopt;
    return std::chrono::milliseconds(v);
}

void server_core::set_poll_after_hint(std::optional<std::chrono::milliseconds> hint)
{
    poll_after_ms_.store(hint ? hint->count() : -1, std::memory_order_relaxed);
}

} // namespace detail

server::server(asio::any_io_executor ex, emulator_options opts)
    : core_(std::make_shared<detail::server_core>(std::move(ex), std::move(opts)))
{
}

server::~server() { stop(); }

void server::start() { core_->start(); }
void server::stop() { core_->stop(); }

std::string server::base_url() const
{
    const auto addr = core_->local_endpoint.address();
    std::string host = addr.to_string();
    if (addr.is_v6())
        host = "[" + host + "]";
    return std::string(core_->opts.tls ? "https://" : "http://") + host + ":" + std::to_string(port()) + "/v1";
}

std::string server::ca_file() const { return core_->identity ? core_->identity->ca_file() : std::string(); }
std::string server::ca_pem() const { return core_->identity ? core_->identity->ca_pem() : std::string(); }
unsigned short server::port() const { return core_->local_endpoint.port(); }
const emulator_options& server::options() const noexcept { return core_->opts; }

void server::advance(std::chrono::milliseconds emulated)
{
    core_->clock.advance(emulated);
    core_->state.settle_all();
    if (core_->webhooks)
        core_->webhooks->poke(); // deliveries waiting for emulated time
}

std::int64_t server::now() const { return core_->clock.now_seconds(); }
std::int64_t server::now_ms() const { return core_->clock.now_ms(); }

void server::add_fault(fault_rule r) { core_->faults.add(std::move(r)); }
void server::clear_faults() { core_->faults.clear(); }
void server::set_close_after_requests(std::size_t n) { core_->close_after_requests.store(n); }
void server::set_idle_close(std::chrono::milliseconds idle) { core_->idle_close_ms.store(idle.count()); }
void server::set_poll_after_hint(std::optional<std::chrono::milliseconds> hint) { core_->set_poll_after_hint(hint); }

std::size_t server::request_count(std::string_view route_pattern) const { return core_->requests.get(route_pattern); }
std::size_t server::handled_count(std::string_view route_pattern) const { return core_->handled.get(route_pattern); }
std::size_t server::connections_accepted() const { return core_->accepted.load(); }
std::size_t server::open_connections() const { return core_->open.load(); }
std::size_t server::faults_applied() const { return core_->faults.applied(); }

std::optional<batchwire::batch> server::find_batch(std::string_view id) const { return core_->state.find_batch(id); }

std::optional<batchwire::file_object> server::find_file(std::string_view id) const
{
    auto f = core_->state.find_file(id);
    if (!f)
        return std::nullopt;
    return f->meta;
}

std::optional<std::string> server::file_content(std::string_view id) const
{
    auto f = core_->state.find_file(id);
    if (!f)
        return std::nullopt;
    return std::string(f->content);
}

batchwire::file_object server::put_file(std::string filename, std::string purpose, std::string content)
{
    auto storage = std::make_shared<const std::string>(std::move(content));
    const std::string_view view(*storage);
    return core_->state.add_file(std::move(filename), std::move(purpose), storage, view, std::nullopt)->meta;
}

batchwire::batch server::put_batch(const batchwire::batch_create_params& params)
{
    if (!batchwire::is_batch_endpoint(params.endpoint))
        throw std::invalid_argument("put_batch: '" + params.endpoint + "' is not a batch endpoint");
    if (params.completion_window != "24h")
        throw std::invalid_argument("put_batch: completion_window must be 24h");
    auto result = core_->state.create_batch(params);
    if (auto* e = std::get_if<api_error>(&result))
        throw std::invalid_argument("put_batch: " + e->message);
    return std::get<batchwire::batch>(std::move(result));
}

void server::add_webhook_fault(webhook_fault_rule r)
{
    if (!core_->webhooks)
        throw std::logic_error("add_webhook_fault: the emulator sends no webhooks (no webhook_url)");
    core_->webhooks->add_fault(r);
}

void server::clear_webhook_faults()
{
    if (core_->webhooks)
        core_->webhooks->clear_faults();
}

webhook_delivery_stats server::webhook_deliveries() const
{
    return core_->webhooks ? core_->webhooks->stats() : webhook_delivery_stats{};
}

void server::fail_lines(std::function<bool(std::string_view custom_id)> predicate)
{
    core_->state.set_fail_predicate(std::move(predicate));
}

} // namespace batchwire::emulator
