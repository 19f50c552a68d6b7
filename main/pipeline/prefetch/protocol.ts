import type { WireError } from '../../errors.js';
import type { Frame, SequenceInfo } from '../../sources/frame.js';
import type { OpenSequenceOptions } from '../../sources/open.js';
import type { LabelSettings } from '../labelInput.js';

/** What the reading thread is asked to open: what `semslam map` and sessions take (plain data). */
export interface PrefetchWorkerInit {
  readonly spec: string;
  readonly openOptions: OpenSequenceOptions;
  /** Resize on the reading thread (FrameResizer: area-averaged colour, nearest depth and labels). */
  readonly size?: { readonly width: number; readonly height: number };
  /** Make label fusion's input on the reading thread; 'auto' = gt-noisy when the sequence has labels. */
  readonly labels?: Omit<LabelSettings, 'mode'> & { readonly mode: LabelSettings['mode'] | 'auto' };
}

export type PrefetchRequest = { readonly op: 'read'; readonly id: number; readonly index: number } | { readonly op: 'close' };

export type PrefetchReply =
  | { readonly kind: 'ready'; readonly info: SequenceInfo }
  | { readonly kind: 'failed'; readonly error: WireError }
  | { readonly kind: 'frame'; readonly id: number; readonly frame: Frame }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError };
