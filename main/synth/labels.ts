/** NYUDv2 40-class ids (0-based) by name, looked up in the shared class table so they cannot drift. */
import { NYU40_NAMES } from '../../fusion/classes.js';

function id(name: string): number {
  const i = NYU40_NAMES.indexOf(name);
  if (i < 0) throw new Error(`NYU40 class table has no "${name}"`);
  return i;
}

export const C = {
  wall: id('wall'), floor: id('floor'), cabinet: id('cabinet'), bed: id('bed'), chair: id('chair'), sofa: id('sofa'),
  table: id('table'), door: id('door'), window: id('window'), bookshelf: id('bookshelf'), picture: id('picture'),
  counter: id('counter'), blinds: id('blinds'), desk: id('desk'), shelves: id('shelves'), curtain: id('curtain'),
  dresser: id('dresser'), pillow: id('pillow'), mirror: id('mirror'), floorMat: id('floor mat'), clothes: id('clothes'),
  ceiling: id('ceiling'), books: id('books'), refrigerator: id('refrigerator'), television: id('television'),
  paper: id('paper'), towel: id('towel'), showerCurtain: id('shower curtain'), box: id('box'), whiteboard: id('whiteboard'),
  nightStand: id('night stand'), toilet: id('toilet'), sink: id('sink'), lamp: id('lamp'), bathtub: id('bathtub'),
  bag: id('bag'), otherStructure: id('otherstructure'), otherFurniture: id('otherfurniture'), otherProp: id('otherprop'),
} as const;
