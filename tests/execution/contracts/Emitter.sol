// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// Emits logs of every shape (0 to 4 topics, anonymous, empty and long data) and keeps a counter,
/// for log filtering and receipt checks.
contract Emitter {
    uint256 public count;

    event Ping(uint256 indexed n);
    event Tagged(bytes32 indexed tag, address indexed who, uint256 indexed n, bytes data);
    event Note(string text);
    event Silent() anonymous;
    event Raw(bytes32 indexed a, bytes32 indexed b, bytes32 indexed c, bytes32 indexed d) anonymous;

    function ping() external {
        count += 1;
        emit Ping(count);
    }

    function burst(bytes32 tag, uint256 n, bytes calldata data) external {
        for (uint256 i = 0; i < n; i++) {
            count += 1;
            emit Tagged(tag, msg.sender, count, data);
        }
        emit Note("burst done");
        emit Silent();
        emit Raw(tag, bytes32(count), bytes32(uint256(uint160(msg.sender))), bytes32(n));
    }

    function fail() external pure {
        revert("always fails");
    }
}
