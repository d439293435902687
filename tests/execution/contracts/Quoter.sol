// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

interface IERC20 {
    function balanceOf(address) external view returns (uint256);
}

/// A constant-product pair over two tokens (reserves are its token balances).
contract Pair {
    address public immutable token0;
    address public immutable token1;

    constructor(address a, address b) {
        token0 = a;
        token1 = b;
    }

    function getReserves() public view returns (uint256 r0, uint256 r1) {
        r0 = IERC20(token0).balanceOf(address(this));
        r1 = IERC20(token1).balanceOf(address(this));
    }
}

/// A router-style quote across several pairs: the shape of a DEX aggregator's eth_call, touching
/// many contracts and storage slots in one call.
contract Quoter {
    function quote(address[] calldata pairs, uint256 amountIn) external view returns (uint256 out) {
        out = amountIn;
        for (uint256 i = 0; i < pairs.length; i++) {
            (uint256 r0, uint256 r1) = Pair(pairs[i]).getReserves();
            uint256 inWithFee = out * 997;
            out = (inWithFee * r1) / (r0 * 1000 + inWithFee);
        }
    }
}
