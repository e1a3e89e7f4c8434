#ifndef BATCHWIRE_SRC_BATCH_LINES_DOWNLOAD_HPP
#define BATCHWIRE_SRC_BATCH_LINES_DOWNLOAD_HPP

// A batch output or error file read line by line as it downloads (client::read_batch_lines),
// also the download step of collect_results.

#include "client_state.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/any_completion_handler.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace batchwire::detail {

void launch_read_lines(const std::shared_ptr<client_state>& st, std::string id, batch_line_handler on_line,
                       request_options ro, diagnostics* diag,
                       boost::asio::any_completion_handler<void(boost::system::error_code, std::uint64_t)> h);

} // namespace batchwire::detail

#endif
