// How node-protocol messages are framed on a libp2p stream: one varint length prefix, then the message.
import { MAX_MESSAGE_BYTES } from '../protocol/messages.js'

/** lpStream options for reading a message: room for the length prefix and for bytes that arrive before they are read. */
export const LP_OPTIONS = { maxDataLength: MAX_MESSAGE_BYTES, maxBufferSize: MAX_MESSAGE_BYTES + (1 << 20) }
