/** Per-class legend: colour, name, surfel count, and a show/hide checkbox per class. */
import { NYU13_NAMES, PALETTE13 } from '../../fusion/classes.js';
import { CLASS_SLOTS } from '../scene/surfelStore.js';
import { el } from './dom.js';

export class Legend {
  private readonly counts: HTMLElement[] = [];
  private readonly rows: HTMLLIElement[] = [];

  constructor(list: HTMLElement, onToggle: (classId: number, visible: boolean) => void) {
    for (let k = 0; k < CLASS_SLOTS; k++) {
      const [r, g, b] = k === 0 ? [140, 140, 140] : [PALETTE13[3 * k], PALETTE13[3 * k + 1], PALETTE13[3 * k + 2]];
      const box = el('input', { type: 'checkbox', checked: true, title: 'show / hide' });
      box.dataset.classId = String(k);
      box.addEventListener('change', () => onToggle(k, box.checked));
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = `rgb(${r},${g},${b})`;
      const count = el('span', { className: 'count' }, '0');
      const row = el('li', {}, box, swatch, el('span', { className: 'name' }, NYU13_NAMES[k] ?? `class ${k}`), count);
      row.dataset.classId = String(k);
      row.hidden = true; // shown once the class has surfels
      this.counts.push(count);
      this.rows.push(row);
      list.append(row);
    }
  }

  update(classCounts: Uint32Array): void {
    for (let k = 0; k < CLASS_SLOTS; k++) {
      this.counts[k].textContent = classCounts[k].toLocaleString('en-US');
      if (classCounts[k] > 0) this.rows[k].hidden = false;
    }
  }
}
