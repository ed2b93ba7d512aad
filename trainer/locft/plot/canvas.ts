// A tiny RGB raster: filled rectangles, thick lines, square markers and 5x7 text. Integer pixel maths only, so a
// plot of the same data is the same bytes on every machine.
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font5x7.ts';
import { encodePngRgb } from './png.ts';

export type Rgb = readonly [number, number, number];

export class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, color: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.pixels[i] = color[0];
    this.pixels[i + 1] = color[1];
    this.pixels[i + 2] = color[2];
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = Math.round(y); yy < Math.round(y + h); yy++) {
      for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.setPixel(xx, yy, color);
    }
  }

  /** Bresenham line, thickened by stamping a square of side `thickness` at each step. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    let x = Math.round(x0);
    let y = Math.round(y0);
    const xe = Math.round(x1);
    const ye = Math.round(y1);
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    let err = dx + dy;
    const half = Math.floor(thickness / 2);
    for (;;) {
      this.fillRect(x - half, y - half, thickness, thickness, color);
      if (x === xe && y === ye) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  marker(x: number, y: number, color: Rgb, size = 5): void {
    const half = Math.floor(size / 2);
    this.fillRect(Math.round(x) - half, Math.round(y) - half, size, size, color);
  }

  /** Draw text with its top-left corner at (x, y); returns the width drawn. */
  text(x: number, y: number, s: string, color: Rgb, scale = 1): number {
    let cx = Math.round(x);
    for (const ch of s) {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let c = 0; c < GLYPH_WIDTH; c++) {
          if (rows[r]?.[c]) this.fillRect(cx + c * scale, Math.round(y) + r * scale, scale, scale, color);
        }
      }
      cx += (GLYPH_WIDTH + 1) * scale;
    }
    return cx - Math.round(x);
  }

  static textWidth(s: string, scale = 1): number {
    return [...s].length * (GLYPH_WIDTH + 1) * scale;
  }

  toPng(): Buffer {
    return encodePngRgb(this.width, this.height, this.pixels);
  }
}
