// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// Code an EOA delegates to with an EIP-7702 authorization: it keeps a counter in the EOA's own
/// storage and reports whose storage it ran in.
contract Delegate {
    uint256 public calls;

    event Called(address indexed self, address indexed sender, uint256 calls);

    function poke() external returns (uint256) {
        calls += 1;
        emit Called(address(this), msg.sender, calls);
        return calls;
    }

    function whoAmI() external view returns (address) {
        return address(this);
    }
}
