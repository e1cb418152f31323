/** @module core/frame-types.test — frame type of commands, replies and pushes; counter layout. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandFrameType, countFrame, FRAME_COUNTER_SLOTS, FRAME_TYPE_NAMES, FrameType, PUSH_PUBLICATION_SENT, pushFrameType, RECEIVED, replyFrameType, SENT, SLOTS_PER_FRAME_TYPE } from './frame-types.js';

describe('frame types', () => {
  it('index table matches the names', () => {
    for (const [key, i] of Object.entries(FrameType)) {
      const snake = key.replace(/[A-Z]/g, (c, at: number) => (at === 0 ? '' : '_') + c.toLowerCase());
      assert.equal(FRAME_TYPE_NAMES[i], snake, key);
    }
    assert.equal(Object.keys(FrameType).length, FRAME_TYPE_NAMES.length);
  });

  it('commands: by their request field; no id and no send is a pong; an empty command with id is unknown', () => {
    assert.equal(commandFrameType({ id: 1, connect: {} }), FrameType.Connect);
    assert.equal(commandFrameType({ id: 2, subscribe: { channel: 'a' } }), FrameType.Subscribe);
    assert.equal(commandFrameType({ id: 3, presenceStats: { channel: 'a' } }), FrameType.PresenceStats);
    assert.equal(commandFrameType({ id: 4, subRefresh: { channel: 'a', token: 't' } }), FrameType.SubRefresh);
    assert.equal(commandFrameType({ send: { data: new Uint8Array(1) } }), FrameType.Send);
    assert.equal(commandFrameType({}), FrameType.ClientPong);
    assert.equal(commandFrameType({ id: 5 }), FrameType.Unknown);
  });

  it('replies: push kind, result kind, or the command (errors)', () => {
    assert.equal(replyFrameType({ push: { channel: 'a', pub: { data: new Uint8Array(0) } } }, FrameType.Unknown), FrameType.PushPublication);
    assert.equal(replyFrameType({ id: 1, error: { code: 108, message: 'not available' } }, FrameType.Rpc), FrameType.Rpc);
    assert.equal(replyFrameType({ id: 1, history: { publications: [], epoch: '', offset: 0 } }, FrameType.Unknown), FrameType.History);
    assert.equal(pushFrameType({ channel: 'a', join: { info: { user: 'u', client: 'c' } } }), FrameType.PushJoin);
    assert.equal(pushFrameType({ disconnect: { code: 3000, reason: '' } }), FrameType.PushDisconnect);
    assert.equal(pushFrameType({}), FrameType.ServerPing);
  });

  it('countFrame adds one message and its bytes at the frame type slots', () => {
    const a = new Float64Array(FRAME_COUNTER_SLOTS);
    countFrame(a, FrameType.Publish, SENT, 10);
    countFrame(a, FrameType.Publish, SENT, 5);
    countFrame(a, FrameType.Publish, RECEIVED, 7);
    const base = FrameType.Publish * SLOTS_PER_FRAME_TYPE;
    assert.deepEqual([...a.subarray(base, base + 4)], [2, 15, 1, 7]);
    assert.equal(a.reduce((x, y) => x + y, 0), 25);
    assert.equal(PUSH_PUBLICATION_SENT, FrameType.PushPublication * SLOTS_PER_FRAME_TYPE + SENT);
  });
});
