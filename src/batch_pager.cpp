// batch_pager: every batch, page after page, over client::list.

#include <batchwire/client.hpp>

namespace batchwire {

namespace asio = boost::asio;

batch_pager::batch_pager(client& c, batch_list_params p, request_options ro)
    : client_(&c), params_(std::move(p)), ro_(std::move(ro))
{
}

asio::awaitable<std::optional<batch_page>> batch_pager::next_page()
{
    if (done_)
        co_return std::nullopt;
    auto page = co_await client_->list(params_, ro_);
    if (auto cursor = page.next_cursor())
        params_.after = std::move(*cursor);
    else
        done_ = true;
    co_return page;
}

asio::awaitable<std::optional<batch>> batch_pager::next()
{
    while (pos_ == buffered_.size()) {
        auto page = co_await next_page();
        if (!page)
            co_return std::nullopt;
        buffered_ = std::move(page->data);
        pos_ = 0;
    }
    co_return std::move(buffered_[pos_++]);
}

} // namespace batchwire
